/** Roles a token may carry; anything else in `roles` is ignored. */
export const ROLES = ['ADMIN', 'MEMBER', 'AUDITOR'] as const;
export type Role = (typeof ROLES)[number];

/** Roles that may run mutations. AUDITOR (and a token without roles) only reads. */
export const WRITER_ROLES: readonly Role[] = ['ADMIN', 'MEMBER'];

/** Who is calling, from a verified token: `sub` → actorId, `org` → tenantId. */
export interface Identity {
  readonly actorId: string;
  readonly tenantId: string;
  readonly roles: readonly Role[];
}

export function isRole(value: unknown): value is Role {
  return (ROLES as readonly unknown[]).includes(value);
}

export function canWrite(identity: Identity): boolean {
  return identity.roles.some((role) => WRITER_ROLES.includes(role));
}
