import { SignJWT } from 'jose';
import type { Role } from './identity';

export interface DevelopmentTokenClaims {
  readonly sub: string;
  readonly org: string;
  readonly roles: readonly Role[];
  /** Lifetime in seconds; 12 hours when omitted. */
  readonly ttlSeconds?: number;
}

export const DEFAULT_TOKEN_TTL_SECONDS = 12 * 60 * 60;

/** An HS256 token as the API verifies it in development (and as tests log in). */
export async function signDevelopmentToken(
  claims: DevelopmentTokenClaims,
  secret: string,
): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({ org: claims.org, roles: [...claims.roles] })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setSubject(claims.sub)
    .setIssuedAt(now)
    .setExpirationTime(now + (claims.ttlSeconds ?? DEFAULT_TOKEN_TTL_SECONDS))
    .sign(new TextEncoder().encode(secret));
}

/** `90`, `90s`, `15m`, `12h`, `7d` → seconds. */
export function parseTtl(raw: string): number {
  const match = /^(\d+)([smhd]?)$/.exec(raw.trim());
  if (!match?.[1]) throw new Error(`--ttl must look like 3600, 15m, 12h or 7d, got "${raw}"`);
  const unit = { '': 1, s: 1, m: 60, h: 3600, d: 86400 }[match[2] ?? ''] ?? 1;
  const seconds = Number(match[1]) * unit;
  if (seconds <= 0) throw new Error('--ttl must be positive');
  return seconds;
}
