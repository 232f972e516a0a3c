import { request as httpRequest } from 'node:http';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import {
  buildSchema,
  getNamedType,
  getNullableType,
  type GraphQLInputType,
  isEnumType,
  isInputObjectType,
  isListType,
  isNonNullType,
} from 'graphql';
import { Client } from 'pg';
import request from 'supertest';
import { GraphqlClient, recordedEventCount, startTestApp, type TestApp } from '@okr-ledger/testing';
import { MAX_BODY_BYTES } from '../apps/api/src/graphql/http-transport';
import { type GraphqlBody } from './support/graphql-body';
import { subscribeOnce } from './support/ws-client';

type FieldErrors = { path: string; constraint: string; message: string }[];

/** The first error's code and field errors, for terse assertions. */
function refusal(body: GraphqlBody) {
  const error = body.errors?.[0];
  return {
    code: error?.extensions?.code,
    fieldErrors: (error?.extensions?.fieldErrors ?? []) as FieldErrors,
  };
}

/** `{ node { ...F21 } }` where each fragment spreads the one before it twice. */
function doublingFragments(n: number): string {
  let text = 'fragment F0 on Team { id }';
  for (let i = 1; i <= n; i++) {
    text += ` fragment F${i} on Team { a: parent { ...F${i - 1} } b: parent { ...F${i - 1} } }`;
  }
  return `{ teams { ...F${n} } } ${text}`;
}

describe('Bad input', () => {
  let app: TestApp;
  let client: GraphqlClient;
  let db: Client;

  beforeAll(async () => {
    app = await startTestApp();
    client = await GraphqlClient.as(app.url, { sub: 'ana', org: 'acme', roles: ['ADMIN'] });
    db = new Client({ connectionString: app.database.url });
    await db.connect();
  });
  afterAll(async () => {
    await db.end();
    await app.close();
  });

  const events = () => recordedEventCount(db);
  const post = () =>
    request(app.url).post('/graphql').set('Authorization', `Bearer ${client.token}`);

  /** Sends a write that must be refused, and checks that nothing was recorded. */
  async function refusedWrite(query: string, variables: Record<string, unknown> = {}) {
    const before = await events();
    const body = await client.send(query, variables);
    expect(body.data?.[Object.keys(body.data ?? {})[0] ?? ''] ?? null).toBeNull();
    expect(await events()).toBe(before);
    return refusal(body);
  }

  describe('when the body is not a GraphQL request', () => {
    const expectBadRequest = (response: request.Response, status: number) => {
      expect(response.status).toBe(status);
      expect(response.body).toEqual({
        errors: [{ message: expect.any(String), extensions: { code: 'BAD_REQUEST' } }],
      });
    };

    it('answers malformed JSON with 400 BAD_REQUEST in GraphQL shape', async () => {
      const response = await post().set('Content-Type', 'application/json').send('{"query":');
      expectBadRequest(response, 400);
    });

    it('answers a body over the limit with 413 BAD_REQUEST', async () => {
      const body = JSON.stringify({
        query: '{ teams { id } }',
        variables: { x: 'a'.repeat(MAX_BODY_BYTES) },
      });
      const response = await post().set('Content-Type', 'application/json').send(body);
      expectBadRequest(response, 413);
    });

    it('lets a 1 MB text field reach validation, which names it', async () => {
      const result = await refusedWrite(
        'mutation($input: CreateTeamInput!) { createTeam(input: $input) { id } }',
        { input: { name: 'x'.repeat(1_000_000) } },
      );
      expect(result.code).toBe('BAD_USER_INPUT');
      expect(result.fieldErrors).toContainEqual(
        expect.objectContaining({ path: 'input.name', constraint: 'maxLength' }),
      );
    });

    it('answers variables nested 100,000 levels deep with a coded error', async () => {
      const deep = `${'['.repeat(100_000)}${']'.repeat(100_000)}`;
      const response = await post()
        .set('Content-Type', 'application/json')
        .send(`{"query":"query($id: ID!) { cycle(id: $id) { id } }","variables":{"id":${deep}}}`);
      expect(response.status).toBe(400);
      expect(refusal(response.body as GraphqlBody)).toMatchObject({
        code: 'BAD_USER_INPUT',
        fieldErrors: [{ path: 'id', constraint: 'type' }],
      });
    });

    it('answers another media type with 415 BAD_REQUEST', async () => {
      const response = await post()
        .set('Content-Type', 'text/plain')
        .send('{"query":"{ teams { id } }"}');
      expectBadRequest(response, 415);
    });

    it('answers an unsupported charset with 415 BAD_REQUEST', async () => {
      const response = await post()
        .set('Content-Type', 'application/json; charset=latin-9')
        .send('{"query":"{ teams { id } }"}');
      expectBadRequest(response, 415);
    });

    it('answers an unknown content encoding with 415 and a body that is no gzip with 400', async () => {
      const compress = await post()
        .set('Content-Type', 'application/json')
        .set('Content-Encoding', 'compress')
        .send('x');
      expectBadRequest(compress, 415);
      const notGzip = await rawPost(Buffer.from('{"query":"{ teams { id } }"}'), {
        'content-encoding': 'gzip',
      });
      expect(notGzip.status).toBe(400);
      expect(JSON.parse(notGzip.body)).toMatchObject({
        errors: [{ extensions: { code: 'BAD_REQUEST' } }],
      });
    });

    it('reads a real gzip body', async () => {
      const response = await rawPost(gzipSync('{"query":"{ teams { id } }"}'), {
        'content-encoding': 'gzip',
      });
      expect(response.status).toBe(200);
      expect(JSON.parse(response.body)).toEqual({ data: { teams: expect.any(Array) } });
    });

    /** supertest re-encodes bodies, so compressed ones go through node:http. */
    function rawPost(body: Buffer, headers: Record<string, string>) {
      return new Promise<{ status: number; body: string }>((resolve, reject) => {
        const req = httpRequest(
          new URL('/graphql', app.url),
          {
            method: 'POST',
            headers: {
              authorization: `Bearer ${client.token}`,
              'content-type': 'application/json',
              'content-length': body.length,
              ...headers,
            },
          },
          (res) => {
            let text = '';
            res.on('data', (chunk: Buffer) => (text += chunk.toString()));
            res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
          },
        );
        req.on('error', reject);
        req.end(body);
      });
    }
  });

  describe('when a DateTime is not a strict RFC 3339 instant', () => {
    const schedule = (startsAt: string) =>
      `mutation { scheduleCycle(input: { name: "Q", startsAt: ${startsAt}, endsAt: "2026-04-01T00:00:00Z" }) { id } }`;

    it.each([
      ['true', 'type'],
      ['1700000000', 'type'],
      ['["2026-01-01T00:00:00Z"]', 'type'],
      ['{a: 1}', 'type'],
      ['"2026-02-30T00:00:00Z"', 'type'],
      ['"01/02/2026"', 'type'],
      ['"2026-01-01T24:00:00Z"', 'type'],
      ['"+020260-01-01T00:00:00Z"', 'type'],
      ['"0000-01-01T00:00:00Z"', 'type'],
      ['"2026-01-01T00:00:00"', 'type'],
      // Valid instants, but no cycle starts before 1970.
      ['"1969-12-31T23:59:59Z"', 'minDate'],
    ])(
      'refuses startsAt: %s with input.startsAt (%s), recording nothing',
      async (startsAt, constraint) => {
        const result = await refusedWrite(schedule(startsAt));
        expect(result.code).toBe('BAD_USER_INPUT');
        expect(result.fieldErrors).toContainEqual(
          expect.objectContaining({ path: 'input.startsAt', constraint }),
        );
      },
    );

    it('refuses a number in a variable, naming the variable path', async () => {
      const result = await refusedWrite(
        'mutation($input: ScheduleCycleInput!) { scheduleCycle(input: $input) { id } }',
        { input: { name: 'Q', startsAt: 1700000000, endsAt: '2026-04-01T00:00:00Z' } },
      );
      expect(result).toEqual({
        code: 'BAD_USER_INPUT',
        fieldErrors: [
          {
            path: 'input.startsAt',
            constraint: 'type',
            message: expect.stringMatching(/^DateTime must be a string/),
          },
        ],
      });
    });

    it.each(['"tomorrow"', '"2026-13-01T00:00:00Z"'])(
      'refuses alignmentTree(asOf: %s) with the argument',
      async (asOf) => {
        const body = await client.send(
          `{ alignmentTree(cycleId: "00000000-0000-4000-8000-000000000000", asOf: ${asOf}) { depth } }`,
        );
        expect(refusal(body)).toEqual({
          code: 'BAD_USER_INPUT',
          fieldErrors: [{ path: 'asOf', constraint: 'type', message: expect.any(String) }],
        });
      },
    );
  });

  describe('when text cannot be recorded as sent', () => {
    it.each([
      ['a NUL', 'a\u0000b', 'noNulCharacter'],
      ['a lone surrogate', 'x\ud800y', 'wellFormedUnicode'],
    ])(
      'refuses %s in a write with the field path, recording nothing',
      async (_, name, constraint) => {
        const result = await refusedWrite(
          'mutation($input: CreateTeamInput!) { createTeam(input: $input) { id } }',
          { input: { name } },
        );
        expect(result).toEqual({
          code: 'BAD_USER_INPUT',
          fieldErrors: [{ path: 'input.name', constraint, message: expect.any(String) }],
        });
      },
    );

    it('refuses a NUL written as a literal escape too', async () => {
      const result = await refusedWrite(
        'mutation { createTeam(input: { name: "a\\u0000b" }) { id } }',
      );
      expect(result.fieldErrors).toEqual([expect.objectContaining({ path: 'input.name' })]);
    });

    it.each([
      ['objectives(ownerId)', '{ objectives(ownerId: "x\\u0000") { totalCount } }', 'ownerId'],
      [
        'auditTrail(filter: {actorId})',
        '{ auditTrail(filter: { actorId: "x\\u0000" }) { totalCount } }',
        'filter.actorId',
      ],
    ])('refuses one in the %s filter', async (_, query, path) => {
      expect(refusal(await client.send(query))).toEqual({
        code: 'BAD_USER_INPUT',
        fieldErrors: [{ path, constraint: 'noNulCharacter', message: expect.any(String) }],
      });
    });

    it('refuses a ledgerIntegrity(upTo) beyond what the store can hold', async () => {
      const body = await client.send(
        '{ ledgerIntegrity(upTo: "99999999999999999999-99999999999999999999") { digest } }',
      );
      expect(refusal(body)).toEqual({
        code: 'BAD_USER_INPUT',
        fieldErrors: [{ path: 'upTo', constraint: 'position', message: expect.any(String) }],
      });
    });
  });

  describe('when a text field is one character over its documented maximum', () => {
    // Read from the committed schema, so a field added without a documented bound fails here.
    const schema = buildSchema(readFileSync(join(__dirname, '../apps/api/schema.graphql'), 'utf8'));
    const mutations = Object.values(schema.getMutationType()?.getFields() ?? {}).filter(
      (field) => field.args.length === 1 && field.args[0]?.name === 'input',
    );
    const cases = mutations.flatMap((mutation) => {
      const input = getNullableType(mutation.args[0]!.type);
      if (!isInputObjectType(input)) return [];
      return Object.values(input.getFields()).flatMap((field) => {
        const max = /At most (\d+) characters/.exec(field.description ?? '')?.[1];
        return max ? [{ mutation: mutation.name, input, field: field.name, max: Number(max) }] : [];
      });
    });

    it('finds fields to check', () => {
      expect(cases.length).toBeGreaterThan(20);
    });

    it('finds a documented bound on every text argument and input field of the schema', () => {
      const text = (type: GraphQLInputType) => ['String', 'ID'].includes(getNamedType(type).name);
      const unbounded: string[] = [];
      const check = (where: string, type: GraphQLInputType, description?: string | null) => {
        // A length, a UUID, or (audit event types) a fixed list of names.
        if (text(type) && !/\d+ characters|UUID|event types \(/.test(description ?? '')) {
          unbounded.push(where);
        }
      };
      for (const type of Object.values(schema.getTypeMap())) {
        if (type.name.startsWith('__')) continue;
        if (isInputObjectType(type)) {
          for (const f of Object.values(type.getFields())) {
            check(`${type.name}.${f.name}`, f.type, f.description);
          }
        } else if ('getFields' in type && typeof type.getFields === 'function') {
          for (const f of Object.values(type.getFields())) {
            for (const a of 'args' in f ? f.args : []) {
              check(`${type.name}.${f.name}(${a.name})`, a.type, a.description);
            }
          }
        }
      }
      expect(unbounded).toEqual([]);
    });

    it.each(cases.map((c) => [`${c.mutation}.input.${c.field}`, c] as const))(
      'refuses %s, recording nothing',
      async (_, { mutation, input, field, max }) => {
        const value: Record<string, unknown> = {};
        for (const f of Object.values(input.getFields())) {
          if (isNonNullType(f.type)) value[f.name] = sample(f.type);
        }
        value[field] = 'x'.repeat(max + 1);
        const result = await refusedWrite(
          `mutation($input: ${input.name}!) { ${mutation}(input: $input) { __typename } }`,
          { input: value },
        );
        expect(result.code).toBe('BAD_USER_INPUT');
        expect(result.fieldErrors).toContainEqual(
          expect.objectContaining({ path: `input.${field}`, constraint: 'maxLength' }),
        );
      },
    );

    function sample(type: GraphQLInputType): unknown {
      const named = getNamedType(type);
      if (isListType(getNullableType(type))) return [];
      if (isEnumType(named)) return named.getValues()[0]?.value;
      switch (named.name) {
        case 'ID':
          return '00000000-0000-4000-8000-000000000000';
        case 'String':
          return 'x';
        case 'Float':
        case 'Int':
          return 1;
        case 'DateTime':
          return '2026-01-01T00:00:00Z';
        default:
          return null;
      }
    }
  });

  describe('when a query is built to be expensive', () => {
    it('refuses 21 doubling fragments (a 1.5 KB query) as QUERY_TOO_DEEP', async () => {
      const query = doublingFragments(21);
      expect(query.length).toBeLessThan(2000);
      const body = await client.send(query);
      expect(body.errors?.[0]?.extensions).toEqual({
        code: 'QUERY_TOO_DEEP',
        limit: 12,
        depth: 23,
      });
    });

    it('refuses them over GET too', async () => {
      const response = await request(app.url)
        .get('/graphql')
        .query({ query: doublingFragments(21) })
        .set('Authorization', `Bearer ${client.token}`);
      expect(response.status).toBe(400);
      expect(refusal(response.body as GraphqlBody).code).toBe('QUERY_TOO_DEEP');
    });

    it('refuses 3,000 levels of nesting with a code, not a JavaScript message', async () => {
      const query = `{ teams { ${'parent { '.repeat(3000)}id${' }'.repeat(3000)} } }`;
      const body = await client.send(query);
      expect(body.errors?.[0]?.extensions?.code).toBe('QUERY_TOO_DEEP');
      expect(JSON.stringify(body)).not.toMatch(/call stack/i);
    });

    it('refuses more tokens than the parser takes with QUERY_TOO_LARGE', async () => {
      const body = await client.send(`{ teams { ${'id '.repeat(3001)}} }`);
      expect(body.errors?.[0]?.extensions).toEqual({ code: 'QUERY_TOO_LARGE', limit: 3000 });
    });

    it('refuses 51 aliases with TOO_MANY_ALIASES', async () => {
      const aliases = Array.from({ length: 51 }, (_, i) => `a${i}: id`).join(' ');
      const body = await client.send(`{ teams { ${aliases} } }`);
      expect(body.errors?.[0]?.extensions).toEqual({
        code: 'TOO_MANY_ALIASES',
        limit: 50,
        aliases: 51,
      });
    });

    it('refuses 11 aliased createTeam with TOO_MANY_MUTATIONS, recording nothing', async () => {
      const writes = Array.from(
        { length: 11 },
        (_, i) => `t${i}: createTeam(input: { name: "t${i}" }) { id }`,
      );
      const before = await events();
      const body = await client.send(`mutation { ${writes.join(' ')} }`);
      expect(body.errors?.[0]?.extensions).toEqual({
        code: 'TOO_MANY_MUTATIONS',
        limit: 10,
        mutations: 11,
      });
      expect(await events()).toBe(before);
    });
  });

  describe('when GraphQL itself cannot coerce an argument', () => {
    it('names the field of a literal of the wrong type', async () => {
      const body = await client.send('mutation { createTeam(input: { name: 123 }) { id } }');
      expect(refusal(body)).toEqual({
        code: 'BAD_USER_INPUT',
        fieldErrors: [
          {
            path: 'input.name',
            constraint: 'type',
            message: 'String cannot represent a non string value: 123',
          },
        ],
      });
    });

    it('names a null variable for ID!', async () => {
      const body = await client.send('query($id: ID!) { cycle(id: $id) { id } }', { id: null });
      expect(refusal(body)).toEqual({
        code: 'BAD_USER_INPUT',
        fieldErrors: [{ path: 'id', constraint: 'required', message: expect.any(String) }],
      });
    });
  });

  describe('when the same requests come over graphql-ws', () => {
    const viaSocket = (query: string) =>
      subscribeOnce(app.url, { Authorization: `Bearer ${client.token}` }, query);

    it('refuses a query over the limits with the same code and extensions', async () => {
      const outcome = await viaSocket(doublingFragments(21));
      expect(outcome.errors).toEqual([
        [expect.objectContaining({ extensions: { code: 'QUERY_TOO_DEEP', limit: 12, depth: 23 } })],
      ]);
    });

    it('codes a syntax error and refuses 3,000 levels of nesting with QUERY_TOO_DEEP', async () => {
      expect((await viaSocket('{ teams {')).errors).toEqual([
        [expect.objectContaining({ extensions: { code: 'GRAPHQL_PARSE_FAILED' } })],
      ]);
      const deep = await viaSocket(
        `{ teams { ${'parent { '.repeat(3000)}id${' }'.repeat(3000)} } }`,
      );
      expect(deep.errors).toEqual([
        [
          expect.objectContaining({
            extensions: expect.objectContaining({ code: 'QUERY_TOO_DEEP' }),
          }),
        ],
      ]);
    });

    it('names the field of a refused literal', async () => {
      const outcome = await viaSocket('subscription { objectiveChanged(cycleId: true) { id } }');
      expect(outcome.errors).toEqual([
        [
          expect.objectContaining({
            extensions: {
              code: 'BAD_USER_INPUT',
              fieldErrors: [{ path: 'cycleId', constraint: 'type', message: expect.any(String) }],
            },
          }),
        ],
      ]);
    });
  });

  describe('when a subscription is sent over HTTP', () => {
    it('refuses it with BAD_REQUEST instead of failing', async () => {
      const response = await post().send({
        query:
          'subscription { objectiveChanged(cycleId: "00000000-0000-4000-8000-000000000000") { id } }',
      });
      expect(response.status).toBe(400);
      expect(refusal(response.body as GraphqlBody).code).toBe('BAD_REQUEST');
    });
  });

  describe('when the client accepts only application/json', () => {
    it.each([
      ['a syntax error', { query: '{ teams {' }, 'GRAPHQL_PARSE_FAILED'],
      ['a validation error', { query: '{ nothing }' }, 'GRAPHQL_VALIDATION_FAILED'],
      [
        'a variable that does not coerce',
        { query: 'query($id: ID!) { cycle(id: $id) { id } }', variables: { id: {} } },
        'BAD_USER_INPUT',
      ],
      ['a query over a limit', { query: doublingFragments(21) }, 'QUERY_TOO_DEEP'],
    ])('answers %s with 200', async (_, body, code) => {
      const legacy = await post().set('Accept', 'application/json').send(body);
      expect(legacy.status).toBe(200);
      expect(legacy.headers['content-type']).toMatch(/^application\/json/);
      expect(refusal(legacy.body as GraphqlBody).code).toBe(code);
      const modern = await post().set('Accept', 'application/graphql-response+json').send(body);
      expect(modern.status).toBe(400);
      expect(modern.headers['content-type']).toMatch(/^application\/graphql-response\+json/);
    });
  });
});
