import type { ServerResponse } from 'node:http';
import { DEVELOPMENT_JWT_SECRET, type AppConfig } from '@okr-ledger/platform';
import { RetroController } from './retro.controller';

function recorder() {
  const seen = { status: 0, headers: {} as Record<string, unknown>, body: '' };
  const res = {
    writeHead(status: number, headers: Record<string, unknown>) {
      seen.status = status;
      seen.headers = headers;
      return res;
    },
    end(body?: string) {
      seen.body = body ?? '';
      return res;
    },
  };
  return { res: res as unknown as ServerResponse, seen };
}

const controller = (nodeEnv: string, jwksUrl?: string) =>
  new RetroController({
    nodeEnv,
    auth: { jwtSecret: DEVELOPMENT_JWT_SECRET, jwksUrl },
  } as unknown as AppConfig);

const offered = (html: string): boolean => {
  const match = /data-config="([^"]*)"/.exec(html);
  const json = (match?.[1] ?? '').replace(/&#(\d+);/g, (_, c: string) =>
    String.fromCharCode(Number(c)),
  );
  return (JSON.parse(json) as { developmentSignIn: boolean }).developmentSignIn;
};

describe('RetroController', () => {
  describe('when NODE_ENV is production', () => {
    it('offers no development sign-in and signs no token', async () => {
      const page = recorder();
      controller('production').page('c', page.res);
      expect(offered(page.seen.body)).toBe(false);
      const token = recorder();
      await controller('production').developmentToken({ org: 'demo', role: 'ADMIN' }, token.res);
      expect(token.seen.status).toBe(404);
      expect(JSON.parse(token.seen.body)).toEqual({
        errors: [{ message: 'Not found', extensions: { code: 'NOT_FOUND' } }],
      });
    });
  });

  describe('when tokens are verified against a JWKS', () => {
    it('offers no development sign-in: the server would not accept its tokens', async () => {
      const token = recorder();
      await controller('development', 'https://idp.example/jwks').developmentToken(
        { org: 'demo', role: 'ADMIN' },
        token.res,
      );
      expect(token.seen.status).toBe(404);
    });
  });

  describe('when in development', () => {
    it('offers the sign-in and signs a token for the organisation and role', async () => {
      const page = recorder();
      controller('development').page('c', page.res);
      expect(offered(page.seen.body)).toBe(true);
      const token = recorder();
      await controller('development').developmentToken({ org: 'demo', role: 'AUDITOR' }, token.res);
      expect(token.seen.status).toBe(200);
      const jwt = (JSON.parse(token.seen.body) as { token: string }).token;
      const claims = JSON.parse(Buffer.from(jwt.split('.')[1] ?? '', 'base64url').toString()) as {
        org: string;
        roles: string[];
      };
      expect(claims).toMatchObject({ org: 'demo', roles: ['AUDITOR'] });
    });

    it('puts the cycle id into the page escaped', () => {
      const page = recorder();
      controller('development').page('"><script>alert(1)</script>', page.res);
      expect(page.seen.body).not.toContain('<script>alert(1)');
    });
  });
});
