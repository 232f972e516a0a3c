/**
 * Typed domain errors. The API maps `DomainRuleViolation` to `extensions.code = DOMAIN_RULE`
 * (or `BAD_USER_INPUT` for `INVALID_VALUE`, with `field`) and `AggregateNotFound` to `NOT_FOUND`.
 * Rule names are public and stable: clients switch on them.
 */
export const DOMAIN_RULES = [
  'ALREADY_EXISTS',
  'NOTHING_CHANGED',
  'INVALID_VALUE',
  'REASON_REQUIRED',
  'TEAM_LOOP',
  'INVALID_CYCLE_DATES',
  'INVALID_CYCLE_TRANSITION',
  'CYCLE_CLOSED',
  'ALIGNMENT_LOOP',
  'OBJECTIVE_ARCHIVED',
  'KEY_RESULT_GRADUATED',
  'MEASURED_IN_FUTURE',
  'DATA_SOURCE_REVOKED',
] as const;

export type DomainRule = (typeof DOMAIN_RULES)[number];

export class DomainRuleViolation extends Error {
  override readonly name = 'DomainRuleViolation';

  constructor(
    readonly rule: DomainRule,
    /** The GraphQL input field at fault, for value-level violations. */
    readonly field?: string,
    message?: string,
  ) {
    super(message ?? (field === undefined ? rule : `${rule}: ${field}`));
  }
}

/** 'Initiative' is an entity inside a key result, not an aggregate, but misses the same way. */
export type AggregateType =
  'Team' | 'Cycle' | 'Objective' | 'KeyResult' | 'Initiative' | 'DataSource';

export class AggregateNotFound extends Error {
  override readonly name = 'AggregateNotFound';

  constructor(
    readonly aggregateType: AggregateType,
    readonly id: string,
  ) {
    super(`${aggregateType} ${id} not found`);
  }
}

// Guards shared by the deciders: each returns the normalised value or throws INVALID_VALUE.

export function requireText(value: string, field: string): string {
  const trimmed = value.trim();
  if (trimmed === '') throw new DomainRuleViolation('INVALID_VALUE', field, `${field} is empty`);
  return trimmed;
}

/** Optional free text: blank means absent, so null and '' never differ in the log. */
export function optionalText(value: string | null): string | null {
  const trimmed = value?.trim() ?? '';
  return trimmed === '' ? null : trimmed;
}

export function requireFinite(value: number, field: string): number {
  if (!Number.isFinite(value)) {
    throw new DomainRuleViolation('INVALID_VALUE', field, `${field} is not a finite number`);
  }
  return value;
}

const INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?Z$/;
const DATE = /^\d{4}-\d{2}-\d{2}$/;

/** A UTC ISO-8601 instant (`…Z`); returns its epoch milliseconds. */
export function requireInstant(value: string, field: string): number {
  const ms = INSTANT.test(value) ? Date.parse(value) : NaN;
  // The round trip rejects calendar nonsense such as 2025-02-30 that Date.parse rolls over.
  if (Number.isNaN(ms) || new Date(ms).toISOString().slice(0, 10) !== value.slice(0, 10)) {
    throw new DomainRuleViolation('INVALID_VALUE', field, `${field} is not a UTC ISO-8601 instant`);
  }
  return ms;
}

/** A UTC ISO-8601 date (`YYYY-MM-DD`) or instant. */
export function requireDateOrInstant(value: string, field: string): string {
  if (DATE.test(value)) requireInstant(`${value}T00:00:00Z`, field);
  else requireInstant(value, field);
  return value;
}

export function requireId(value: string, field: string): string {
  if (value.trim() === '')
    throw new DomainRuleViolation('INVALID_VALUE', field, `${field} is empty`);
  return value;
}
