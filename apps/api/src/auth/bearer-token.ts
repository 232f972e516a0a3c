/** The credential a request presented: none, a token, or something unusable. */
export type PresentedCredential =
  | { readonly kind: 'none' }
  | { readonly kind: 'token'; readonly token: string }
  | { readonly kind: 'malformed'; readonly reason: string };

const BEARER = /^Bearer[ \t]+([A-Za-z0-9\-_.~+/]+=*)[ \t]*$/i;

/** Reads `Authorization: Bearer <token>`. */
export function credentialFromHeader(header: string | string[] | undefined): PresentedCredential {
  const value = Array.isArray(header) ? header[0] : header;
  if (value === undefined || value.trim() === '') return { kind: 'none' };
  const match = BEARER.exec(value.trim());
  if (!match?.[1]) {
    return { kind: 'malformed', reason: 'The Authorization header must be "Bearer <token>".' };
  }
  return { kind: 'token', token: match[1] };
}

/**
 * Reads the graphql-ws `connection_init` payload: `{ Authorization: 'Bearer …' }`,
 * `{ authorization: 'Bearer …' }` or `{ token: '…' }`.
 */
export function credentialFromConnectionParams(
  params: Readonly<Record<string, unknown>> | undefined,
): PresentedCredential {
  if (!params) return { kind: 'none' };
  const header = params.Authorization ?? params.authorization;
  if (typeof header === 'string') return credentialFromHeader(header);
  const token = params.token;
  if (typeof token === 'string' && token.trim() !== '') {
    return credentialFromHeader(`Bearer ${token.trim().replace(/^Bearer\s+/i, '')}`);
  }
  return { kind: 'none' };
}
