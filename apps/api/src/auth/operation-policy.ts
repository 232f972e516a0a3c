import {
  type DocumentNode,
  OperationTypeNode,
  type FragmentDefinitionNode,
  Kind,
  type OperationDefinitionNode,
  type SelectionSetNode,
} from 'graphql';
import { ForbiddenError, UnauthenticatedError } from '../errors/api.errors';
import { canWrite, type Identity } from './identity';

const INTROSPECTION_FIELDS: ReadonlySet<string> = new Set(['__schema', '__type', '__typename']);
/** The one mutation an AUDITOR may run: it records no event, it signs the log. */
const AUDITOR_MUTATIONS: ReadonlySet<string> = new Set(['takeLedgerCheckpoint', '__typename']);
/** All a data source's key may run (ADR 0015): no query, no other mutation. */
const DATA_SOURCE_MUTATIONS: ReadonlySet<string> = new Set(['recordMeasurements', '__typename']);

/** Who is asking, as the transport established it. */
export interface Caller {
  readonly identity: Identity | null;
  /** A credential was presented and refused (or could not be checked). */
  readonly credentialError: Error | null;
}

/**
 * The single access rule of the API, applied to every operation on every transport:
 * a refused credential is never ignored; without an identity only introspection runs
 * (so explorers load the schema); mutations need ADMIN or MEMBER, except that an AUDITOR
 * may take a ledger checkpoint; a data source's key runs `recordMeasurements` and nothing else.
 */
export function authorizeOperation(
  caller: Caller,
  document: DocumentNode,
  operation: OperationDefinitionNode,
): Identity | null {
  if (caller.credentialError) throw caller.credentialError;
  if (!caller.identity) {
    if (operation.operation === OperationTypeNode.QUERY && isIntrospectionOnly(document, operation))
      return null;
    throw new UnauthenticatedError();
  }
  if (caller.identity.dataSource) {
    if (
      operation.operation !== OperationTypeNode.MUTATION ||
      !onlyFields(document, operation, DATA_SOURCE_MUTATIONS)
    ) {
      throw new ForbiddenError('A data source key may only run recordMeasurements.');
    }
    return caller.identity;
  }
  if (
    operation.operation === OperationTypeNode.MUTATION &&
    !canWrite(caller.identity) &&
    !(
      caller.identity.roles.includes('AUDITOR') &&
      onlyFields(document, operation, AUDITOR_MUTATIONS)
    )
  ) {
    throw new ForbiddenError(
      'Your roles allow reading only; mutations need ADMIN or MEMBER.',
      'READ_ONLY_ROLE',
    );
  }
  return caller.identity;
}

/** True when every root field, through fragments, is `__schema`, `__type` or `__typename`. */
export function isIntrospectionOnly(
  document: DocumentNode,
  operation: OperationDefinitionNode,
): boolean {
  return onlyFields(document, operation, INTROSPECTION_FIELDS);
}

/** True when every root field, through fragments, is one of `allowed`. */
function onlyFields(
  document: DocumentNode,
  operation: OperationDefinitionNode,
  allowed: ReadonlySet<string>,
): boolean {
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const definition of document.definitions) {
    if (definition.kind === Kind.FRAGMENT_DEFINITION) {
      fragments.set(definition.name.value, definition);
    }
  }
  const visited = new Set<string>();
  const check = (selectionSet: SelectionSetNode): boolean =>
    selectionSet.selections.every((selection) => {
      switch (selection.kind) {
        case Kind.FIELD:
          return allowed.has(selection.name.value);
        case Kind.INLINE_FRAGMENT:
          return check(selection.selectionSet);
        case Kind.FRAGMENT_SPREAD: {
          const name = selection.name.value;
          const fragment = fragments.get(name);
          if (!fragment) return false;
          if (visited.has(name)) return true;
          visited.add(name);
          return check(fragment.selectionSet);
        }
      }
    });
  return check(operation.selectionSet);
}
