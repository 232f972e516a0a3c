import {
  type DocumentNode,
  type FieldNode,
  type FragmentDefinitionNode,
  getNamedType,
  getNullableType,
  type GraphQLCompositeType,
  type GraphQLField,
  type GraphQLSchema,
  isCompositeType,
  isInterfaceType,
  isListType,
  isObjectType,
  Kind,
  type OperationDefinitionNode,
  type SelectionSetNode,
  type ValueNode,
} from 'graphql';
import { ApiError, ERROR_CODES } from '../errors/api.errors';

export interface QueryLimits {
  /** Deepest field nesting allowed; `{ a { b } }` has depth 2. */
  readonly maxDepth: number;
  /** Most objects a query may ask for, counting each list item (see `measureOperation`). */
  readonly maxComplexity: number;
  /** Assumed length of a list field that has no `first` argument. */
  readonly defaultListSize: number;
  /**
   * The largest `first` the API accepts. A larger one is counted as this, so that input
   * validation refuses it with BAD_USER_INPUT naming the argument, not with a complexity error.
   */
  readonly maxListSize: number;
}

export const DEFAULT_QUERY_LIMITS: QueryLimits = {
  maxDepth: 12,
  maxComplexity: 5000,
  defaultListSize: 10,
  maxListSize: 100,
};

export interface OperationCost {
  readonly depth: number;
  readonly complexity: number;
}

/**
 * Depth and complexity of an operation. Complexity counts the objects a query can return, as
 * GitHub's node limit does: every object costs 1, scalar and enum fields cost nothing (they
 * come with their object, from the same row). A field with a `first` argument returns
 * `first` objects, any other list field `defaultListSize` (lists directly on a `…Connection` type, such as `edges`, are already sized by the
 * connection's `first`). Counting scalars too would make a wide selection of nested lists,
 * such as a full `cycleReplay` frame, cost as much as a deep one. Introspection fields are
 * free, so explorers can always load.
 */
export function measureOperation(
  schema: GraphQLSchema,
  document: DocumentNode,
  operation: OperationDefinitionNode,
  variables: Readonly<Record<string, unknown>>,
  limits: QueryLimits = DEFAULT_QUERY_LIMITS,
): OperationCost {
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const definition of document.definitions) {
    if (definition.kind === Kind.FRAGMENT_DEFINITION)
      fragments.set(definition.name.value, definition);
  }
  const root = schema.getRootType(operation.operation);
  if (!root) return { depth: 0, complexity: 0 };
  // A `first: $n` left out by the client costs what its declared default says.
  const values: Record<string, unknown> = { ...variables };
  for (const definition of operation.variableDefinitions ?? []) {
    const name = definition.variable.name.value;
    if (values[name] === undefined && definition.defaultValue?.kind === Kind.INT) {
      values[name] = Number(definition.defaultValue.value);
    }
  }

  const walk = (
    selectionSet: SelectionSetNode,
    parent: GraphQLCompositeType,
    spreads: ReadonlySet<string>,
  ): OperationCost => {
    let depth = 0;
    let complexity = 0;
    const add = (cost: OperationCost) => {
      depth = Math.max(depth, cost.depth);
      complexity += cost.complexity;
    };
    for (const selection of selectionSet.selections) {
      switch (selection.kind) {
        case Kind.FIELD: {
          if (selection.name.value.startsWith('__')) break;
          const field = fieldOf(parent, selection.name.value);
          if (!field) break;
          const child = getNamedType(field.type);
          const below =
            selection.selectionSet && isCompositeType(child)
              ? walk(selection.selectionSet, child, spreads)
              : { depth: 0, complexity: 0 };
          const times = multiplier(field, selection, parent, values, limits);
          // Each object the field returns costs 1, plus what is selected below it.
          const own = isCompositeType(child) ? 1 : 0;
          add({ depth: below.depth + 1, complexity: times * (own + below.complexity) });
          break;
        }
        case Kind.INLINE_FRAGMENT: {
          const condition = selection.typeCondition
            ? schema.getType(selection.typeCondition.name.value)
            : parent;
          if (condition && isCompositeType(condition))
            add(walk(selection.selectionSet, condition, spreads));
          break;
        }
        case Kind.FRAGMENT_SPREAD: {
          const name = selection.name.value;
          const fragment = fragments.get(name);
          // Validation already refuses fragment cycles; the guard only keeps this total.
          if (!fragment || spreads.has(name)) break;
          const condition = schema.getType(fragment.typeCondition.name.value);
          if (condition && isCompositeType(condition)) {
            add(walk(fragment.selectionSet, condition, new Set([...spreads, name])));
          }
          break;
        }
      }
    }
    return { depth, complexity };
  };
  return walk(operation.selectionSet, root, new Set());
}

/** Throws QUERY_TOO_DEEP or QUERY_TOO_COMPLEX (with `limit`) when an operation is too big. */
export function enforceQueryLimits(
  schema: GraphQLSchema,
  document: DocumentNode,
  operation: OperationDefinitionNode,
  variables: Readonly<Record<string, unknown>>,
  limits: QueryLimits = DEFAULT_QUERY_LIMITS,
): OperationCost {
  const cost = measureOperation(schema, document, operation, variables, limits);
  if (cost.depth > limits.maxDepth) {
    throw new ApiError(
      `The query is ${cost.depth} levels deep; the limit is ${limits.maxDepth}.`,
      ERROR_CODES.QUERY_TOO_DEEP,
      { limit: limits.maxDepth, depth: cost.depth },
      400,
    );
  }
  if (cost.complexity > limits.maxComplexity) {
    throw new ApiError(
      `The query's complexity is ${cost.complexity}; the limit is ${limits.maxComplexity}. Ask for fewer items (first) or fewer nested fields.`,
      ERROR_CODES.QUERY_TOO_COMPLEX,
      { limit: limits.maxComplexity, complexity: cost.complexity },
      400,
    );
  }
  return cost;
}

function fieldOf(
  parent: GraphQLCompositeType,
  name: string,
): GraphQLField<unknown, unknown> | undefined {
  return isObjectType(parent) || isInterfaceType(parent) ? parent.getFields()[name] : undefined;
}

function multiplier(
  field: GraphQLField<unknown, unknown>,
  node: FieldNode,
  parent: GraphQLCompositeType,
  variables: Readonly<Record<string, unknown>>,
  limits: QueryLimits,
): number {
  const first = node.arguments?.find((a) => a.name.value === 'first');
  if (first) {
    const value = intValue(first.value, variables);
    return value === undefined
      ? limits.defaultListSize
      : Math.min(limits.maxListSize, Math.max(0, value));
  }
  if (field.args.some((a) => a.name === 'first')) return limits.defaultListSize;
  if (!isListType(getNullableType(field.type))) return 1;
  return parent.name.endsWith('Connection') ? 1 : limits.defaultListSize;
}

function intValue(
  node: ValueNode,
  variables: Readonly<Record<string, unknown>>,
): number | undefined {
  if (node.kind === Kind.INT) return Number(node.value);
  if (node.kind === Kind.VARIABLE) {
    const value = variables[node.name.value];
    return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
  }
  return undefined;
}
