import { SignJWT } from 'jose';
import { UnauthenticatedError } from '../errors/api.errors';
import { signDevelopmentToken } from './development-token';
import { TokenVerifier, VERIFIED_TOKEN_CACHE_SIZE, VERIFIED_TOKEN_TTL_MS } from './token-verifier';

const SECRET = 'unit-test-secret-unit-test-secret-0123456789';
const claims = { sub: 'ana', org: 'acme', roles: ['MEMBER' as const] };

describe('TokenVerifier, verified-token cache', () => {
  afterEach(() => jest.useRealTimers());

  it('answers a token it verified again with the same identity', async () => {
    const verifier = new TokenVerifier({ jwtSecret: SECRET, jwksUrl: undefined });
    const token = await signDevelopmentToken(claims, SECRET);
    const first = await verifier.verify(token);
    expect(first).toEqual({ actorId: 'ana', tenantId: 'acme', roles: ['MEMBER'] });
    expect(await verifier.verify(token)).toBe(first);
    expect(Object.isFrozen(first.roles)).toBe(true);
  });

  it('never answers a token from the cache after its exp', async () => {
    jest.useFakeTimers({ now: Date.UTC(2026, 0, 1) });
    const verifier = new TokenVerifier({ jwtSecret: SECRET, jwksUrl: undefined });
    const token = await signDevelopmentToken({ ...claims, ttlSeconds: 2 }, SECRET);
    await verifier.verify(token);
    // Past exp and the clock tolerance: verified again, so refused.
    jest.setSystemTime(Date.UTC(2026, 0, 1) + 8_000);
    await expect(verifier.verify(token)).rejects.toThrow(
      new UnauthenticatedError('The token has expired.'),
    );
  });

  it('verifies again after the TTL, however long the token lives', async () => {
    jest.useFakeTimers({ now: Date.UTC(2026, 0, 1) });
    const verifier = new TokenVerifier({ jwtSecret: SECRET, jwksUrl: undefined });
    const token = await signDevelopmentToken(claims, SECRET);
    const first = await verifier.verify(token);
    jest.setSystemTime(Date.UTC(2026, 0, 1) + VERIFIED_TOKEN_TTL_MS + 1);
    const again = await verifier.verify(token);
    expect(again).toEqual(first);
    expect(again).not.toBe(first);
  });

  it('keeps no refused token and a bounded number of verified ones', async () => {
    const verifier = new TokenVerifier({ jwtSecret: SECRET, jwksUrl: undefined });
    const forged = await signDevelopmentToken(claims, `${SECRET}-other`);
    await expect(verifier.verify(forged)).rejects.toThrow(UnauthenticatedError);
    await expect(verifier.verify(forged)).rejects.toThrow(UnauthenticatedError);
    const now = Math.floor(Date.now() / 1000);
    for (let i = 0; i <= VERIFIED_TOKEN_CACHE_SIZE; i++) {
      const token = await new SignJWT({ org: 'acme' })
        .setProtectedHeader({ alg: 'HS256' })
        .setSubject(`user-${i}`)
        .setExpirationTime(now + 3600)
        .sign(new TextEncoder().encode(SECRET));
      await verifier.verify(token);
    }
    const cache = (verifier as unknown as { verified: Map<string, unknown> }).verified;
    expect(cache.size).toBe(VERIFIED_TOKEN_CACHE_SIZE);
  });
});
