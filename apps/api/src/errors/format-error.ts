import { randomUUID } from 'node:crypto';
import { unwrapResolverError } from '@apollo/server/errors';
import { HttpException, Logger } from '@nestjs/common';
import {
  AppendOutcomeUnknown,
  EventStoreUnavailable,
  IdempotencyKeyReused,
  WrongExpectedVersion,
} from '@okr-ledger/event-store';
import {
  AggregateNotFound,
  DomainRuleViolation,
  WriteForbidden,
  type WriteRule,
} from '@okr-ledger/okr';
import {
  type ASTNode,
  type ExecutionResult,
  type FormattedExecutionResult,
  GraphQLError,
  type GraphQLFormattedError,
  Kind,
} from 'graphql';
import { ERROR_CODES } from './api.errors';
import { variableFieldError } from './input-paths';

const VALUE_KINDS: ReadonlySet<string> = new Set([
  Kind.INT,
  Kind.FLOAT,
  Kind.STRING,
  Kind.BOOLEAN,
  Kind.NULL,
  Kind.ENUM,
  Kind.LIST,
  Kind.OBJECT,
  Kind.OBJECT_FIELD,
]);

/** Codes clients may see as they were raised; anything else is treated as a server fault. */
const PASS_THROUGH: ReadonlySet<unknown> = new Set([
  ...Object.values(ERROR_CODES).filter((c) => c !== ERROR_CODES.INTERNAL_SERVER_ERROR),
  // Apollo's own request-level codes.
  'GRAPHQL_PARSE_FAILED',
  'GRAPHQL_VALIDATION_FAILED',
  'BAD_REQUEST',
  'OPERATION_RESOLUTION_FAILURE',
  'PERSISTED_QUERY_NOT_FOUND',
  'PERSISTED_QUERY_NOT_SUPPORTED',
]);

/** What each write rule says to the caller who was refused (README: Permissions). */
const WRITE_RULE_MESSAGES: Readonly<Record<WriteRule, string>> = {
  READ_ONLY_ROLE: 'Your roles allow reading only; writes need ADMIN or MEMBER.',
  OBJECTIVE_OWNER_OR_TEAM: 'A MEMBER writes objectives they own or of a team they are a member of.',
  KEY_RESULT_OWNER_OR_TEAM:
    'A MEMBER writes key results they own, of objectives they own, or of their teams.',
  TEAM_LEAD: "A team's members are changed by an ADMIN or a lead of that team.",
};

export type ErrorFormatter = (
  formatted: GraphQLFormattedError,
  error: unknown,
) => GraphQLFormattedError;

/**
 * The one place where errors become what clients see (`extensions.code`, DESIGN §4).
 * Domain and event-store errors are mapped here so resolvers can let them fly; unknown
 * errors get a generic message and an id that is logged with the stack.
 */
export function createErrorFormatter(logger = new Logger('GraphQL')): ErrorFormatter {
  return (formatted, error) => {
    const original = unwrapResolverError(error);
    const base = {
      message: formatted.message,
      locations: formatted.locations,
      path: formatted.path,
    };

    if (original instanceof DomainRuleViolation) {
      if (original.rule === 'INVALID_VALUE') {
        const path = original.field ?? '';
        return {
          ...base,
          message: original.message,
          extensions: {
            code: ERROR_CODES.BAD_USER_INPUT,
            field: path,
            fieldErrors: [{ path, constraint: original.rule, message: original.message }],
          },
        };
      }
      return {
        ...base,
        message: original.message,
        extensions: {
          code: ERROR_CODES.DOMAIN_RULE,
          rule: original.rule,
          ...(original.field === undefined ? {} : { field: original.field }),
        },
      };
    }
    if (original instanceof AggregateNotFound) {
      return {
        ...base,
        message: original.message,
        extensions: { code: ERROR_CODES.NOT_FOUND, type: original.aggregateType, id: original.id },
      };
    }
    if (original instanceof WriteForbidden) {
      return {
        ...base,
        message: WRITE_RULE_MESSAGES[original.rule],
        extensions: { code: ERROR_CODES.FORBIDDEN, rule: original.rule },
      };
    }
    if (original instanceof WrongExpectedVersion) {
      // Public versions count events; store revisions are zero-based.
      const currentVersion = original.actual === 'no_stream' ? 0 : original.actual + 1;
      return {
        ...base,
        message: `The version you expected is stale; the current version is ${currentVersion}.`,
        extensions: { code: ERROR_CODES.CONFLICT, currentVersion },
      };
    }

    if (original instanceof AppendOutcomeUnknown) {
      // Sent, reply lost: saying "nothing was recorded" would invite a duplicate.
      logger.warn(original.message);
      return {
        ...base,
        message:
          'The connection to the event store was lost after the write was sent: it may or may not have been recorded. Retry with the same idempotencyKey: it is recorded exactly once.',
        extensions: { code: ERROR_CODES.OUTCOME_UNKNOWN },
      };
    }
    if (original instanceof IdempotencyKeyReused) {
      const path = idempotencyKeyPath(error);
      return {
        ...base,
        message: original.message,
        extensions: {
          code: ERROR_CODES.BAD_USER_INPUT,
          fieldErrors: [{ path, constraint: 'idempotencyKeyReused', message: original.message }],
        },
      };
    }

    if (original instanceof EventStoreUnavailable) {
      // Nothing was recorded; the client may retry once the store is back.
      logger.warn(original.message);
      return {
        ...base,
        message: 'The event store cannot be reached right now; nothing was recorded. Retry later.',
        extensions: { code: ERROR_CODES.SERVICE_UNAVAILABLE },
      };
    }

    // Errors Apollo wrapped as validation failures keep the rule's own error underneath.
    const inner = error instanceof GraphQLError ? (error.originalError ?? error) : undefined;
    if (inner instanceof GraphQLError) {
      const innerCode = inner.extensions.code;
      if (innerCode === ERROR_CODES.QUERY_TOO_DEEP || innerCode === ERROR_CODES.QUERY_TOO_COMPLEX) {
        return { ...base, extensions: withoutHttp(inner.extensions) };
      }
    }
    const code = formatted.extensions?.code;
    const annotated = formatted.extensions?.fieldErrors;
    if (code === 'GRAPHQL_VALIDATION_FAILED' && (annotated !== undefined || isValueError(error))) {
      // A literal that does not fit its type, or a required one left out, is bad input, not a
      // malformed query; annotateInputErrors named the field.
      const fieldErrors = annotated ?? [
        { path: '', constraint: 'type', message: formatted.message },
      ];
      return { ...base, extensions: { code: ERROR_CODES.BAD_USER_INPUT, fieldErrors } };
    }
    if (code === ERROR_CODES.BAD_USER_INPUT && annotated === undefined) {
      const fieldError = variableFieldError(formatted.message);
      if (fieldError) {
        return { ...formatted, extensions: { ...formatted.extensions, fieldErrors: [fieldError] } };
      }
    }
    if (code === 'GRAPHQL_PARSE_FAILED' && /call stack/i.test(formatted.message)) {
      // The source limits keep nesting below this; should one slip through, it stays coded.
      return {
        ...base,
        message: 'The query nests too deeply to be read.',
        extensions: { code: ERROR_CODES.QUERY_TOO_DEEP },
      };
    }
    // Nest's HttpExceptions (e.g. from a guard) were already given a code by the driver.
    if (
      PASS_THROUGH.has(code) &&
      (original instanceof GraphQLError || original instanceof HttpException)
    ) {
      // Apollo drops `http` from what it sends; graphql-ws does not, so it goes here.
      if (formatted.extensions?.http === undefined) return formatted;
      return { ...formatted, extensions: withoutHttp(formatted.extensions) };
    }

    const errorId = randomUUID();
    const stack = original instanceof Error ? original.stack : String(original);
    logger.error(`GraphQL error ${errorId}: ${formatted.message}`, stack);
    return {
      ...base,
      message: `Internal server error (error id ${errorId}).`,
      extensions: { code: ERROR_CODES.INTERNAL_SERVER_ERROR, errorId },
    };
  };
}

/** For transports that bypass Apollo (graphql-ws): the same formatting on a result. */
export function formatExecutionResult(
  result: ExecutionResult,
  format: ErrorFormatter,
): FormattedExecutionResult {
  const { errors, ...rest } = result;
  if (!errors) return rest;
  return { ...rest, errors: errors.map((e) => format(e.toJSON(), e)) };
}

/**
 * Where the mutation took the key: inside its `input` argument, or as an argument of its own
 * (`startCycle(id, expectedVersion, idempotencyKey)`). Read from the failing field's node, so
 * aliases do not matter.
 */
function idempotencyKeyPath(error: unknown): string {
  const node = error instanceof GraphQLError ? error.nodes?.[0] : undefined;
  const hasInput =
    node?.kind === Kind.FIELD && (node.arguments ?? []).some((a) => a.name.value === 'input');
  return hasInput ? 'input.idempotencyKey' : 'idempotencyKey';
}

function isValueError(error: unknown): boolean {
  const nodes: readonly ASTNode[] | undefined =
    error instanceof GraphQLError ? error.nodes : undefined;
  const first = nodes?.[0];
  return first !== undefined && VALUE_KINDS.has(first.kind);
}

function withoutHttp(extensions: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const { http: _http, ...rest } = extensions;
  return rest;
}
