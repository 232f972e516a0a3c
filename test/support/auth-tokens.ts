import { DEVELOPMENT_JWT_SECRET } from '@okr-ledger/platform';
import { SignJWT } from 'jose';

/** A valid development token for the default secret (what `npm run token` prints). */
export async function tokenFor(
  // Any strings: tests also send roles the API does not know.
  roles: readonly string[] = ['MEMBER'],
  claims: { sub?: string; org?: string } = {},
): Promise<string> {
  return signHs256({ sub: claims.sub ?? 'ana', org: claims.org ?? 'acme', roles: [...roles] });
}

/** Signs any claims with HS256; `exp` defaults to one hour from now unless given (or null). */
export async function signHs256(
  claims: Record<string, unknown> & { exp?: number | null },
  secret: string = DEVELOPMENT_JWT_SECRET,
): Promise<string> {
  const { exp, ...rest } = claims;
  const now = Math.floor(Date.now() / 1000);
  const jwt = new SignJWT(rest).setProtectedHeader({ alg: 'HS256' }).setIssuedAt(now);
  if (exp !== null) jwt.setExpirationTime(exp ?? now + 3600);
  return jwt.sign(new TextEncoder().encode(secret));
}

export function bearer(token: string): { Authorization: string } {
  return { Authorization: `Bearer ${token}` };
}
