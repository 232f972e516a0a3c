import { GraphQLError } from 'graphql';

/** Every `extensions.code` the API produces on purpose (DESIGN §4 plus the query limits). */
export const ERROR_CODES = {
  BAD_USER_INPUT: 'BAD_USER_INPUT',
  NOT_FOUND: 'NOT_FOUND',
  CONFLICT: 'CONFLICT',
  FORBIDDEN: 'FORBIDDEN',
  UNAUTHENTICATED: 'UNAUTHENTICATED',
  DOMAIN_RULE: 'DOMAIN_RULE',
  QUERY_TOO_DEEP: 'QUERY_TOO_DEEP',
  QUERY_TOO_COMPLEX: 'QUERY_TOO_COMPLEX',
  /** More tokens than the parser accepts (`limit`). */
  QUERY_TOO_LARGE: 'QUERY_TOO_LARGE',
  /** More aliased fields in the document than `limit`. */
  TOO_MANY_ALIASES: 'TOO_MANY_ALIASES',
  /** More root fields in a mutation than `limit`: each is a write. */
  TOO_MANY_MUTATIONS: 'TOO_MANY_MUTATIONS',
  /** The HTTP request is not a GraphQL request: body, JSON, media type, charset, encoding. */
  BAD_REQUEST: 'BAD_REQUEST',
  SERVICE_UNAVAILABLE: 'SERVICE_UNAVAILABLE',
  /** The write was sent but its reply lost: it may or may not be recorded; retry with its key. */
  OUTCOME_UNKNOWN: 'OUTCOME_UNKNOWN',
  /** Recorded, but a projection of the organisation is halted, so no payload can show it. */
  PROJECTION_STALLED: 'PROJECTION_STALLED',
  /** Recorded, but neither the read models nor the events show it yet (id and version given). */
  WRITE_NOT_YET_VISIBLE: 'WRITE_NOT_YET_VISIBLE',
  /** The log no longer gives the Merkle root a stored signed checkpoint signed: it was changed. */
  LEDGER_CHECKPOINT_MISMATCH: 'LEDGER_CHECKPOINT_MISMATCH',
  INTERNAL_SERVER_ERROR: 'INTERNAL_SERVER_ERROR',
} as const;

export type ErrorCode = (typeof ERROR_CODES)[keyof typeof ERROR_CODES];

/** One invalid input field: `path` as the client wrote it (`input.targetValue`, `input.items[0].name`). */
export interface FieldError {
  readonly path: string;
  readonly constraint: string;
  readonly message: string;
}

/**
 * Base of the errors resolvers may throw. Being a GraphQLError with a code, it passes the
 * error formatter unchanged. `httpStatus` only matters for errors raised before execution
 * (no `data` in the response): once data exists Apollo answers 200.
 */
export class ApiError extends GraphQLError {
  constructor(
    message: string,
    readonly code: ErrorCode,
    extensions: Record<string, unknown> = {},
    httpStatus?: number,
  ) {
    super(message, {
      extensions: {
        ...extensions,
        code,
        ...(httpStatus === undefined ? {} : { http: { status: httpStatus } }),
      },
    });
    this.name = new.target.name;
  }
}

export class BadUserInputError extends ApiError {
  constructor(
    readonly fieldErrors: readonly FieldError[],
    message = describeFieldErrors(fieldErrors),
  ) {
    super(message, ERROR_CODES.BAD_USER_INPUT, { fieldErrors }, 400);
  }

  /** The same errors with every path put under `prefix` (the argument name, e.g. `input`). */
  under(prefix: string): BadUserInputError {
    return new BadUserInputError(
      this.fieldErrors.map((e) => ({ ...e, path: joinPath(prefix, e.path) })),
    );
  }
}

export class NotFoundError extends ApiError {
  constructor(type: string, id: string) {
    super(`${type} ${id} not found`, ERROR_CODES.NOT_FOUND, { type, id });
  }
}

export class ForbiddenError extends ApiError {
  /** `rule`: the write rule that refused (libs/okr WRITE_RULES), as `extensions.rule`. */
  constructor(message = 'You are not allowed to do this.', rule?: string) {
    super(message, ERROR_CODES.FORBIDDEN, rule === undefined ? {} : { rule }, 403);
  }
}

export class UnauthenticatedError extends ApiError {
  constructor(message = 'A valid bearer token is required.') {
    super(message, ERROR_CODES.UNAUTHENTICATED, {}, 401);
  }
}

/** A stale `expectedVersion`; `currentVersion` is the public version (number of events). */
export class ConflictError extends ApiError {
  constructor(
    readonly currentVersion: number,
    message = `The version you expected is stale; the current version is ${currentVersion}.`,
  ) {
    super(message, ERROR_CODES.CONFLICT, { currentVersion });
  }
}

export class DomainRuleError extends ApiError {
  constructor(rule: string, message: string, field?: string) {
    super(message, ERROR_CODES.DOMAIN_RULE, { rule, ...(field === undefined ? {} : { field }) });
  }
}

/** What a recording mutation produced, for errors that must say the write happened. */
export interface RecordedWrite {
  readonly id: string;
  readonly version: number;
  readonly position: string | null;
}

export class ProjectionStalledError extends ApiError {
  constructor(
    stall: { readonly projection: string; readonly position: string },
    type: string,
    write: RecordedWrite,
  ) {
    super(
      `Recorded (${type} ${write.id}, version ${write.version}), but the read models of this organisation are halted: projection ${stall.projection} stopped at position ${stall.position}. See /health.`,
      ERROR_CODES.PROJECTION_STALLED,
      {
        projection: stall.projection,
        position: stall.position,
        type,
        id: write.id,
        version: write.version,
        writePosition: write.position,
      },
    );
  }
}

export class WriteNotYetVisibleError extends ApiError {
  constructor(type: string, write: RecordedWrite) {
    super(
      `Recorded (${type} ${write.id}, version ${write.version}), but not readable yet; query it again shortly.`,
      ERROR_CODES.WRITE_NOT_YET_VISIBLE,
      { type, id: write.id, version: write.version, writePosition: write.position },
    );
  }
}

export function joinPath(prefix: string, path: string): string {
  if (path === '') return prefix;
  return path.startsWith('[') ? `${prefix}${path}` : `${prefix}.${path}`;
}

function describeFieldErrors(errors: readonly FieldError[]): string {
  if (errors.length === 0) return 'Invalid input.';
  return `Invalid input: ${errors.map((e) => `${e.path} (${e.constraint})`).join(', ')}.`;
}

/** No proof to give: no checkpoint covers it yet, no such event or no checkpoint of that size. */
export class LedgerProofUnavailableError extends ApiError {
  constructor(message: string, reason: string) {
    super(message, ERROR_CODES.NOT_FOUND, { reason });
  }
}

/** Tamper evidence: the events no longer hash to what a checkpoint signed. */
export class LedgerCheckpointMismatchError extends ApiError {
  constructor(message: string, checkpoint: { size: number; root: string; at: string }) {
    super(message, ERROR_CODES.LEDGER_CHECKPOINT_MISMATCH, { checkpoint });
  }
}
