import type { DataSource } from '@okr-ledger/okr';

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
  /**
   * Set when the bearer was a data source's key (ADR 0015): the source as its stream holds it
   * now. Such a caller may only record measurements for its own key results.
   */
  readonly dataSource?: DataSource;
}

export function isRole(value: unknown): value is Role {
  return (ROLES as readonly unknown[]).includes(value);
}

/** ADMIN: registers data sources and manages their keys. */
export function isAdmin(identity: Identity): boolean {
  return identity.dataSource === undefined && identity.roles.includes('ADMIN');
}

export function canWrite(identity: Identity): boolean {
  return identity.roles.some((role) => WRITER_ROLES.includes(role));
}
