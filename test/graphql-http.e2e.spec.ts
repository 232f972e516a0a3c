import { getIntrospectionQuery } from 'graphql';
import { auditServer } from 'graphql-http';
import request from 'supertest';
import type { TestApp } from '@okr-ledger/testing';
import { bearer, tokenFor } from './support/auth-tokens';
import { bodyOf, codeOf } from './support/graphql-body';
import { startProbeApp } from './support/probe-app';

/** `child { child { … id } }`, `levels` fields deep. */
function inner(levels: number): string {
  let selection = 'id';
  for (let i = 1; i < levels; i++) selection = `child { ${selection} }`;
  return selection;
}

/** `{ probeNode { child { … id } } }`, `levels` fields deep in total. */
function nested(levels: number): string {
  return `{ probeNode { ${inner(levels - 1)} } }`;
}

describe('GraphQL over HTTP', () => {
  let app: TestApp;
  let auth: { Authorization: string };

  beforeAll(async () => {
    app = await startProbeApp();
    auth = bearer(await tokenFor(['MEMBER']));
  });
  afterAll(async () => {
    await app.close();
  });

  const post = (body: object, headers: Record<string, string> = auth) =>
    request(app.url).post('/graphql').set(headers).send(body);

  describe('when a query is sent with GET', () => {
    it('answers it with the bearer token as the only extra header (curl-style)', async () => {
      const response = await request(app.url)
        .get('/graphql')
        .query({ query: '{ serverVersion }' })
        .set(auth)
        .expect(200);
      expect(bodyOf(response).data).toEqual({ serverVersion: expect.any(String) });
      // A GET answer is never for a shared cache (the operation guard, not Apollo's plugin).
      expect(response.headers['cache-control']).toBe('no-store');
    });

    it('refuses a request without Authorization or a preflight header (CSRF prevention)', async () => {
      const response = await request(app.url)
        .get('/graphql')
        .query({ query: '{ __typename }' })
        .expect(400);
      expect(JSON.stringify(response.body)).toMatch(/Cross-Site Request Forgery/);
    });

    it('refuses a mutation with 405 and Allow: POST', async () => {
      const response = await request(app.url)
        .get('/graphql')
        .query({ query: 'mutation { probeWrite(input: { title: "x", targetValue: 1 }) }' })
        .set(auth)
        .expect(405);
      expect(response.headers.allow).toBe('POST');
    });
  });

  describe('when the client negotiates the media type', () => {
    it('answers application/graphql-response+json to a client that accepts it', async () => {
      const response = await post(
        { query: '{ serverVersion }' },
        {
          ...auth,
          Accept: 'application/graphql-response+json, application/json;q=0.9',
        },
      ).expect(200);
      expect(response.headers['content-type']).toMatch(/^application\/graphql-response\+json/);
    });

    it('answers application/json otherwise', async () => {
      const response = await post(
        { query: '{ serverVersion }' },
        { ...auth, Accept: 'application/json' },
      ).expect(200);
      expect(response.headers['content-type']).toMatch(/^application\/json/);
    });
  });

  describe('when a query is too deep', () => {
    it('accepts 12 levels', async () => {
      const response = await post({ query: nested(12) }).expect(200);
      expect(bodyOf(response).errors).toBeUndefined();
    });

    it('refuses 13 levels with 400 QUERY_TOO_DEEP and the limit', async () => {
      const response = await post({ query: nested(13) }).expect(400);
      const error = bodyOf(response).errors?.[0];
      expect(error?.extensions).toEqual({ code: 'QUERY_TOO_DEEP', limit: 12, depth: 13 });
      expect(bodyOf(response).data).toBeUndefined();
    });

    it('counts levels inside fragments', async () => {
      const query = `query { probeNode { ...Deep } } fragment Deep on ProbeNode { ${inner(12)} }`;
      expect(codeOf((await post({ query }).expect(400)).body)).toBe('QUERY_TOO_DEEP');
    });
  });

  describe('when a query asks for too much', () => {
    const wide = (first: string, variables = '') =>
      `query${variables} { probeNode { id children(first: ${first}) { id children(first: 100) { id } } } }`;

    it('weighs list fields by their first argument, counting objects', async () => {
      // probeNode 1 + 40 children × (1 + 100 grandchildren) = 4041 objects: allowed.
      expect(bodyOf(await post({ query: wide('40') }).expect(200)).errors).toBeUndefined();
      // 1 + 50 × 101 = 5051: refused.
      const response = await post({ query: wide('50') }).expect(400);
      expect(bodyOf(response).errors?.[0]?.extensions).toEqual({
        code: 'QUERY_TOO_COMPLEX',
        limit: 5000,
        complexity: 5051,
      });
    });

    it('does not charge for scalar fields', async () => {
      // 24 aliases twice: under the alias limit (50), far over any count that charged scalars.
      const many = Array.from({ length: 24 }, (_, i) => `f${i}: id`).join(' ');
      const query = `{ probeNode { children(first: 40) { ${many} children(first: 100) { ${many} } } } }`;
      expect(bodyOf(await post({ query }).expect(200)).errors).toBeUndefined();
    });

    it('reads first from variables and from their declared defaults', async () => {
      const viaVariable = await post({
        query: wide('$n', '($n: Int)'),
        variables: { n: 50 },
      }).expect(400);
      expect(codeOf(viaVariable.body)).toBe('QUERY_TOO_COMPLEX');
      const viaDefault = await post({
        query: wide('$m', '($m: Int = 1000)'),
      }).expect(400);
      expect(codeOf(viaDefault.body)).toBe('QUERY_TOO_COMPLEX');
    });

    it('lets the full introspection query through without a token', async () => {
      const response = await post({ query: getIntrospectionQuery() }, {}).expect(200);
      expect(bodyOf(response).errors).toBeUndefined();
    });
  });

  describe('when graphql-http audits the server against the GraphQL-over-HTTP spec', () => {
    it('finds no MUST and no SHOULD failing', async () => {
      // Every real client sends its token; the audit's requests get one too.
      const fetchFn = (input: string | URL | Request, init: RequestInit = {}) =>
        fetch(input, {
          ...init,
          headers: { ...(init.headers as Record<string, string>), ...auth },
        });
      const results = await auditServer({ url: `${app.url}/graphql`, fetchFn });
      const failures = results
        .filter((r) => r.status !== 'ok' && !r.name.startsWith('MAY'))
        .map((r) => `${r.name} (${r.status})`);
      expect(results.length).toBeGreaterThan(30);
      expect(failures).toEqual([]);
    });
  });

  describe('when resolvers use the per-request loaders', () => {
    it('batches loads within a request and starts fresh on the next', async () => {
      const query = '{ a: probeEcho(key: "x") b: probeEcho(key: "y") }';
      const first = bodyOf(await post({ query }).expect(200)).data as { a: string; b: string };
      const second = bodyOf(await post({ query }).expect(200)).data as { a: string; b: string };
      const batchOf = (value: string) => value.split('/batch')[1];
      expect(first.a).toMatch(/^x\/ana\/batch\d+$/);
      expect(batchOf(first.a)).toBe(batchOf(first.b));
      expect(batchOf(second.a)).not.toBe(batchOf(first.a));
    });
  });
});
