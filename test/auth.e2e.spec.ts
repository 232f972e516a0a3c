import { spawnSync } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import { join, resolve } from 'node:path';
import { DEVELOPMENT_JWT_SECRET } from '@okr-ledger/platform';
import { decodeJwt, exportJWK, exportSPKI, generateKeyPair, SignJWT } from 'jose';
import request from 'supertest';
import type { TestApp } from '@okr-ledger/testing';
import { bearer, signHs256, tokenFor } from './support/auth-tokens';
import { codeOf } from './support/graphql-body';
import { startProbeApp } from './support/probe-app';
import { subscribeOnce } from './support/ws-client';

const root = resolve(__dirname, '..');
const WHO_AM_I = '{ probeWhoAmI { actorId tenantId roles } }';
const WRITE = 'mutation { probeWrite(input: { title: "ok", targetValue: 1 }) }';

function post(app: TestApp, query: string, headers: Record<string, string> = {}) {
  return request(app.url).post('/graphql').set(headers).send({ query });
}

describe('Identity', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startProbeApp();
  });
  afterAll(async () => {
    await app.close();
  });

  describe('when a request carries no token', () => {
    it.each([
      ['__typename', '{ __typename }'],
      ['__schema', '{ __schema { queryType { name } } }'],
      ['__type', '{ __type(name: "Query") { name } }'],
      ['a fragment of introspection', 'query { ...I } fragment I on Query { __typename }'],
    ])('answers introspection (%s)', async (_name, query) => {
      const response = await post(app, query).expect(200);
      expect(response.body.errors).toBeUndefined();
      expect(response.body.data).toBeDefined();
    });

    it.each([
      ['a plain query', '{ serverVersion }'],
      ['introspection mixed with data', '{ __typename serverVersion }'],
      ['data hidden in a fragment', 'query { ...F } fragment F on Query { serverVersion }'],
      ['a mutation', WRITE],
    ])('refuses %s with 401 UNAUTHENTICATED', async (_name, query) => {
      const response = await post(app, query).expect(401);
      expect(codeOf(response.body)).toBe('UNAUTHENTICATED');
      expect(response.body.data).toBeUndefined();
    });
  });

  describe('when a request carries a valid token', () => {
    it('gives resolvers the actor, tenant and known roles', async () => {
      const token = await tokenFor(['ADMIN', 'AUDITOR', 'SUPERHERO'], { sub: 'ana', org: 'acme' });
      const response = await post(app, WHO_AM_I, bearer(token)).expect(200);
      expect(response.body).toEqual({
        data: { probeWhoAmI: { actorId: 'ana', tenantId: 'acme', roles: ['ADMIN', 'AUDITOR'] } },
      });
    });

    it('accepts a token that expired within the clock tolerance', async () => {
      const token = await signHs256({
        sub: 'ana',
        org: 'acme',
        exp: Math.floor(Date.now() / 1000) - 2,
      });
      await post(app, WHO_AM_I, bearer(token)).expect(200);
    });
  });

  describe('when the token is unusable', () => {
    const now = () => Math.floor(Date.now() / 1000);
    const cases: [string, () => Promise<string>][] = [
      ['expired', () => signHs256({ sub: 'ana', org: 'acme', exp: now() - 60 })],
      ['signed with another secret', () => signHs256({ sub: 'ana', org: 'acme' }, 'x'.repeat(40))],
      ['without sub', () => signHs256({ org: 'acme' })],
      ['without org', () => signHs256({ sub: 'ana' })],
      ['without exp', () => signHs256({ sub: 'ana', org: 'acme', exp: null })],
      [
        'with roles that are not a list',
        () => signHs256({ sub: 'ana', org: 'acme', roles: 'ADMIN' }),
      ],
      [
        'unsigned (alg none)',
        async () => {
          const b64 = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
          return `${b64({ alg: 'none', typ: 'JWT' })}.${b64({ sub: 'ana', org: 'acme', exp: now() + 60 })}.`;
        },
      ],
      [
        'signed with HS512 instead of HS256',
        async () =>
          new SignJWT({ sub: 'ana', org: 'acme' })
            .setProtectedHeader({ alg: 'HS512' })
            .setExpirationTime(now() + 60)
            .sign(new TextEncoder().encode(DEVELOPMENT_JWT_SECRET)),
      ],
      ['not a JWT at all', async () => 'not-a-jwt'],
    ];

    it.each(cases)(
      'refuses a token %s with UNAUTHENTICATED, even for introspection',
      async (_name, make) => {
        const token = await make();
        const data = await post(app, WHO_AM_I, bearer(token)).expect(401);
        expect(codeOf(data.body)).toBe('UNAUTHENTICATED');
        const introspection = await post(app, '{ __typename }', bearer(token)).expect(401);
        expect(codeOf(introspection.body)).toBe('UNAUTHENTICATED');
      },
    );

    it('refuses an Authorization header that is not a bearer token', async () => {
      const response = await post(app, WHO_AM_I, {
        Authorization: 'Basic YW5hOnNlY3JldA==',
      }).expect(401);
      expect(codeOf(response.body)).toBe('UNAUTHENTICATED');
      expect(response.body.errors[0].message).toMatch(/Bearer/);
    });

    it('says so when the token has expired', async () => {
      const token = await signHs256({
        sub: 'ana',
        org: 'acme',
        exp: Math.floor(Date.now() / 1000) - 60,
      });
      const response = await post(app, WHO_AM_I, bearer(token)).expect(401);
      expect(response.body.errors[0].message).toBe('The token has expired.');
    });
  });

  describe('when roles decide', () => {
    it.each([['ADMIN'], ['MEMBER']])('lets %s run mutations', async (role) => {
      const response = await post(app, WRITE, bearer(await tokenFor([role]))).expect(200);
      expect(response.body).toEqual({ data: { probeWrite: 'ok:1' } });
    });

    it.each([[['AUDITOR']], [[]]])(
      'lets %p read but refuses its mutations with 403 FORBIDDEN',
      async (roles) => {
        const token = await tokenFor(roles);
        await post(app, WHO_AM_I, bearer(token)).expect(200);
        const response = await post(app, WRITE, bearer(token)).expect(403);
        expect(codeOf(response.body)).toBe('FORBIDDEN');
        expect(response.body.data).toBeUndefined();
      },
    );
  });

  describe('when a client subscribes over graphql-ws', () => {
    const TICKS = 'subscription { probeTicks }';

    it.each([
      ['Authorization', async () => ({ Authorization: `Bearer ${await tokenFor(['AUDITOR'])}` })],
      ['authorization', async () => ({ authorization: `Bearer ${await tokenFor(['AUDITOR'])}` })],
      ['token', async () => ({ token: await tokenFor(['AUDITOR']) })],
    ])('authenticates the connection from connection_init.%s', async (_key, params) => {
      const outcome = await subscribeOnce(app.url, await params(), TICKS);
      expect(outcome.errors).toEqual([]);
      expect(outcome.values).toEqual([
        { data: { probeTicks: 'ana@acme' } },
        { data: { probeTicks: 'ws' } },
      ]);
    });

    it.each([
      ['no token', async () => undefined],
      [
        'a forged token',
        async () => ({ token: await signHs256({ sub: 'x', org: 'y' }, 'z'.repeat(40)) }),
      ],
    ])('closes the connection with 4403 when it has %s', async (_name, params) => {
      const outcome = await subscribeOnce(app.url, await params(), TICKS);
      expect(outcome.values).toEqual([]);
      expect(outcome.closeCode).toBe(4403);
    });

    it('refuses an AUDITOR mutation sent over the socket with FORBIDDEN', async () => {
      const outcome = await subscribeOnce(app.url, { token: await tokenFor(['AUDITOR']) }, WRITE);
      expect(outcome.values).toEqual([]);
      expect(outcome.errors).toEqual([
        [expect.objectContaining({ extensions: expect.objectContaining({ code: 'FORBIDDEN' }) })],
      ]);
    });
  });
});

describe('Identity from a JWKS (AUTH_JWKS_URL)', () => {
  let app: TestApp;
  let jwksServer: Server;
  let rsa: Awaited<ReturnType<typeof generateKeyPair>>;
  let ec: Awaited<ReturnType<typeof generateKeyPair>>;

  beforeAll(async () => {
    rsa = await generateKeyPair('RS256');
    ec = await generateKeyPair('ES256');
    const keys = [
      { ...(await exportJWK(rsa.publicKey)), kid: 'rsa-1', alg: 'RS256', use: 'sig' },
      { ...(await exportJWK(ec.publicKey)), kid: 'ec-1', alg: 'ES256', use: 'sig' },
    ];
    jwksServer = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ keys }));
    });
    await new Promise<void>((done) => jwksServer.listen(0, '127.0.0.1', done));
    const address = jwksServer.address();
    const port = typeof address === 'object' && address ? address.port : 0;
    app = await startProbeApp({ AUTH_JWKS_URL: `http://127.0.0.1:${port}/.well-known/jwks.json` });
  });
  afterAll(async () => {
    await app.close();
    await new Promise((done) => jwksServer.close(done));
  });

  const claims = { sub: 'bo', org: 'globex', roles: ['MEMBER'] };
  const sign = (alg: string, kid: string, key: Parameters<SignJWT['sign']>[0]) =>
    new SignJWT(claims).setProtectedHeader({ alg, kid }).setExpirationTime('5m').sign(key);

  describe('when a token is signed by a key of the set', () => {
    it.each([['RS256'], ['ES256']])('accepts %s', async (alg) => {
      const token =
        alg === 'RS256'
          ? await sign('RS256', 'rsa-1', rsa.privateKey)
          : await sign('ES256', 'ec-1', ec.privateKey);
      const response = await post(app, WHO_AM_I, bearer(token)).expect(200);
      expect(response.body.data.probeWhoAmI).toEqual({
        actorId: 'bo',
        tenantId: 'globex',
        roles: ['MEMBER'],
      });
    });
  });

  describe('when a token tries another algorithm', () => {
    it('refuses an HS256 token made with the public key as secret (algorithm confusion)', async () => {
      const pem = await exportSPKI(rsa.publicKey);
      const token = await sign('HS256', 'rsa-1', new TextEncoder().encode(pem));
      expect(codeOf((await post(app, WHO_AM_I, bearer(token)).expect(401)).body)).toBe(
        'UNAUTHENTICATED',
      );
    });

    it('refuses a development-secret token', async () => {
      const token = await tokenFor(['ADMIN']);
      expect(codeOf((await post(app, WHO_AM_I, bearer(token)).expect(401)).body)).toBe(
        'UNAUTHENTICATED',
      );
    });
  });
});

describe('npm run token', () => {
  const run = (args: string[], env: NodeJS.ProcessEnv = {}) =>
    spawnSync(
      process.execPath,
      [
        '-r',
        join(root, 'scripts/register-ts.cjs'),
        join(root, 'apps/api/src/auth/token.cli.ts'),
        ...args,
      ],
      {
        cwd: root,
        env: { PATH: process.env.PATH, ...env },
        encoding: 'utf8',
      },
    );

  describe('when given a subject, an organisation and roles', () => {
    it('prints one token the API accepts, valid for 12 hours by default', async () => {
      const result = run(['--sub', 'cy', '--org', 'initech', '--roles', 'ADMIN,member']);
      expect(result.status).toBe(0);
      const token = result.stdout.trim();
      const payload = decodeJwt(token);
      expect(payload).toMatchObject({ sub: 'cy', org: 'initech', roles: ['ADMIN', 'MEMBER'] });
      expect(payload.exp! - payload.iat!).toBe(12 * 3600);

      const app = await startProbeApp();
      try {
        const response = await post(app, WHO_AM_I, bearer(token)).expect(200);
        expect(response.body.data.probeWhoAmI.actorId).toBe('cy');
      } finally {
        await app.close();
      }
    });

    it('honours --ttl', () => {
      const payload = decodeJwt(run(['--sub', 'cy', '--org', 'x', '--ttl', '15m']).stdout.trim());
      expect(payload.exp! - payload.iat!).toBe(900);
    });
  });

  describe('when the arguments are wrong or the environment is production', () => {
    it.each([
      [['--org', 'x'], /--sub is required/],
      [['--sub', 'a', '--org', 'x', '--roles', 'BOSS'], /unknown role/],
      [['--sub', 'a', '--org', 'x', '--ttl', 'soon'], /--ttl/],
    ])('fails with a message (%p)', (args, message) => {
      const result = run(args);
      expect(result.status).toBe(1);
      expect(result.stdout).toBe('');
      expect(result.stderr).toMatch(message);
    });

    it('refuses to sign with NODE_ENV=production', () => {
      const result = run(['--sub', 'a', '--org', 'x'], {
        NODE_ENV: 'production',
        AUTH_JWT_SECRET: 'a-real-production-secret-of-enough-length',
      });
      expect(result.status).toBe(1);
      expect(result.stderr).toMatch(/production/);
    });
  });
});
