import {
  type DocumentNode,
  type FieldNode,
  type FragmentDefinitionNode,
  getNamedType,
  getNullableType,
  getOperationAST,
  type GraphQLCompositeType,
  type GraphQLField,
  type GraphQLSchema,
  GraphQLError,
  isCompositeType,
  isInterfaceType,
  isListType,
  isObjectType,
  Kind,
  Lexer,
  OperationTypeNode,
  type OperationDefinitionNode,
  type SelectionSetNode,
  Source,
  TokenKind,
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
  /** Most tokens in a document (punctuation, names, values; comments are free). */
  readonly maxTokens: number;
  /**
   * Deepest nesting of `{`, `[` and `(` the parser is given. graphql-js parses recursively,
   * so far deeper documents would end in "Maximum call stack size exceeded"; this is checked
   * on the tokens, before parsing.
   */
  readonly maxNesting: number;
  /** Most aliased fields in a document. */
  readonly maxAliases: number;
  /** Most root fields (distinct response keys) of a mutation: each is a separate write. */
  readonly maxMutations: number;
}

export const DEFAULT_QUERY_LIMITS: QueryLimits = {
  maxDepth: 12,
  maxComplexity: 5000,
  defaultListSize: 10,
  maxListSize: 100,
  maxTokens: 3000,
  maxNesting: 64,
  maxAliases: 50,
  maxMutations: 10,
};

export interface OperationCost {
  readonly depth: number;
  readonly complexity: number;
  /**
   * Selections walked to compute this. Each fragment is walked once per operation however
   * often it is spread, so this never exceeds the selections written in the document.
   */
  readonly visits: number;
}

/**
 * Depth and complexity of an operation. Complexity counts the objects a query can return, as
 * GitHub's node limit does: every object costs 1, scalar and enum fields cost nothing (they
 * come with their object, from the same row). A field with a `first` argument returns
 * `first` objects, any other list field `defaultListSize` (lists directly on a `…Connection`
 * type, such as `edges`, are already sized by the connection's `first`). Counting scalars too
 * would make a wide selection of nested lists, such as a full `cycleReplay` frame, cost as
 * much as a deep one. Introspection fields are free, so explorers can always load.
 *
 * A fragment's cost does not depend on where it is spread, so it is computed once and reused:
 * the work is linear in the document even when fragments double each other 20 times over.
 * Works on documents not validated yet (unknown fields and fragments count nothing, a
 * fragment cycle counts once), so the limits can run before validation.
 */
export function measureOperation(
  schema: GraphQLSchema,
  document: DocumentNode,
  operation: OperationDefinitionNode,
  variables: Readonly<Record<string, unknown>>,
  limits: QueryLimits = DEFAULT_QUERY_LIMITS,
): OperationCost {
  const fragments = fragmentsOf(document);
  const root = schema.getRootType(operation.operation);
  if (!root) return { depth: 0, complexity: 0, visits: 0 };
  // A `first: $n` left out by the client costs what its declared default says.
  const values: Record<string, unknown> = { ...variables };
  for (const definition of operation.variableDefinitions ?? []) {
    const name = definition.variable.name.value;
    if (values[name] === undefined && definition.defaultValue?.kind === Kind.INT) {
      values[name] = Number(definition.defaultValue.value);
    }
  }

  let visits = 0;
  const ZERO = { depth: 0, complexity: 0 };
  // `null` marks a fragment being walked: spreading it again is a cycle (refused by validation).
  const fragmentCosts = new Map<string, { depth: number; complexity: number } | null>();

  const walk = (
    selectionSet: SelectionSetNode,
    parent: GraphQLCompositeType,
  ): { depth: number; complexity: number } => {
    let depth = 0;
    let complexity = 0;
    const add = (cost: { depth: number; complexity: number }) => {
      depth = Math.max(depth, cost.depth);
      complexity += cost.complexity;
    };
    for (const selection of selectionSet.selections) {
      visits++;
      switch (selection.kind) {
        case Kind.FIELD: {
          if (selection.name.value.startsWith('__')) break;
          const field = fieldOf(parent, selection.name.value);
          if (!field) break;
          const child = getNamedType(field.type);
          const below =
            selection.selectionSet && isCompositeType(child)
              ? walk(selection.selectionSet, child)
              : ZERO;
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
          if (condition && isCompositeType(condition)) add(walk(selection.selectionSet, condition));
          break;
        }
        case Kind.FRAGMENT_SPREAD: {
          const name = selection.name.value;
          const known = fragmentCosts.get(name);
          if (known !== undefined) {
            if (known) add(known);
            break;
          }
          const fragment = fragments.get(name);
          const condition = fragment && schema.getType(fragment.typeCondition.name.value);
          if (!fragment || !condition || !isCompositeType(condition)) break;
          fragmentCosts.set(name, null);
          const cost = walk(fragment.selectionSet, condition);
          fragmentCosts.set(name, cost);
          add(cost);
          break;
        }
      }
    }
    return { depth, complexity };
  };
  const cost = walk(operation.selectionSet, root);
  return { ...cost, visits };
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
    // Doubling fragments can reach astronomic numbers; JSON has no Infinity.
    const complexity = Math.min(cost.complexity, Number.MAX_SAFE_INTEGER);
    throw new ApiError(
      `The query's complexity is ${complexity}; the limit is ${limits.maxComplexity}. Ask for fewer items (first) or fewer nested fields.`,
      ERROR_CODES.QUERY_TOO_COMPLEX,
      { limit: limits.maxComplexity, complexity },
      400,
    );
  }
  return cost;
}

export interface SourceShape {
  /** Tokens read, at most `maxTokens + 1` (the scan stops there). */
  readonly tokens: number;
  /** Deepest nesting of `{`, `[` and `(` seen. */
  readonly nesting: number;
}

/**
 * Reads the tokens of a query without parsing it (no recursion, stops after `maxTokens + 1`)
 * and throws QUERY_TOO_LARGE or QUERY_TOO_DEEP. A lexical error is left to the parser, which
 * reports it as a syntax error.
 */
export function enforceSourceLimits(
  query: string,
  limits: QueryLimits = DEFAULT_QUERY_LIMITS,
): SourceShape {
  const lexer = new Lexer(new Source(query));
  let tokens = 0;
  let open = 0;
  let nesting = 0;
  try {
    for (let token = lexer.advance(); token.kind !== TokenKind.EOF; token = lexer.advance()) {
      tokens++;
      if (tokens > limits.maxTokens) break;
      if (OPENING.has(token.kind)) nesting = Math.max(nesting, ++open);
      else if (CLOSING.has(token.kind)) open--;
      if (nesting > limits.maxNesting) break;
    }
  } catch (error) {
    if (!(error instanceof GraphQLError)) throw error;
  }
  if (tokens > limits.maxTokens) {
    throw new ApiError(
      `The query has more than ${limits.maxTokens} tokens; that is the limit.`,
      ERROR_CODES.QUERY_TOO_LARGE,
      { limit: limits.maxTokens },
      400,
    );
  }
  if (nesting > limits.maxNesting) {
    throw new ApiError(
      `The query nests brackets more than ${limits.maxNesting} levels deep (fields may nest ${limits.maxDepth} levels).`,
      ERROR_CODES.QUERY_TOO_DEEP,
      { limit: limits.maxDepth, nestingLimit: limits.maxNesting },
      400,
    );
  }
  return { tokens, nesting };
}

/**
 * The limits of a parsed document that need no validation: aliases, mutation root fields,
 * then depth and complexity of the operation that will run (of every operation when the
 * name does not pick one, since validation would otherwise look at them all first).
 */
export function enforceDocumentLimits(
  schema: GraphQLSchema,
  document: DocumentNode,
  operationName: string | null | undefined,
  variables: Readonly<Record<string, unknown>>,
  limits: QueryLimits = DEFAULT_QUERY_LIMITS,
): void {
  const aliases = countAliases(document);
  if (aliases > limits.maxAliases) {
    throw new ApiError(
      `The document has ${aliases} aliased fields; the limit is ${limits.maxAliases}.`,
      ERROR_CODES.TOO_MANY_ALIASES,
      { limit: limits.maxAliases, aliases },
      400,
    );
  }
  const chosen = getOperationAST(document, operationName);
  const operations = chosen
    ? [chosen]
    : document.definitions.filter((d) => d.kind === Kind.OPERATION_DEFINITION);
  for (const operation of operations) {
    if (operation.operation === OperationTypeNode.MUTATION) {
      const mutations = rootResponseKeys(document, operation);
      if (mutations > limits.maxMutations) {
        throw new ApiError(
          `The mutation has ${mutations} root fields; the limit is ${limits.maxMutations} per request.`,
          ERROR_CODES.TOO_MANY_MUTATIONS,
          { limit: limits.maxMutations, mutations },
          400,
        );
      }
    }
    enforceQueryLimits(schema, document, operation, variables, limits);
  }
}

/** Aliased fields written in the document (fragments count once: they add no new aliases). */
export function countAliases(document: DocumentNode): number {
  let aliases = 0;
  const count = (selectionSet: SelectionSetNode) => {
    for (const selection of selectionSet.selections) {
      if (selection.kind === Kind.FIELD && selection.alias) aliases++;
      if (selection.kind !== Kind.FRAGMENT_SPREAD && selection.selectionSet) {
        count(selection.selectionSet);
      }
    }
  };
  for (const definition of document.definitions) {
    if (
      definition.kind === Kind.OPERATION_DEFINITION ||
      definition.kind === Kind.FRAGMENT_DEFINITION
    ) {
      count(definition.selectionSet);
    }
  }
  return aliases;
}

/** Distinct response keys at the root of an operation, through fragments: what executes. */
function rootResponseKeys(document: DocumentNode, operation: OperationDefinitionNode): number {
  const fragments = fragmentsOf(document);
  const keys = new Set<string>();
  const seen = new Set<string>();
  const collect = (selectionSet: SelectionSetNode) => {
    for (const selection of selectionSet.selections) {
      if (selection.kind === Kind.FIELD) {
        keys.add((selection.alias ?? selection.name).value);
      } else if (selection.kind === Kind.INLINE_FRAGMENT) {
        collect(selection.selectionSet);
      } else if (!seen.has(selection.name.value)) {
        seen.add(selection.name.value);
        const fragment = fragments.get(selection.name.value);
        if (fragment) collect(fragment.selectionSet);
      }
    }
  };
  collect(operation.selectionSet);
  return keys.size;
}

const OPENING: ReadonlySet<TokenKind> = new Set([
  TokenKind.BRACE_L,
  TokenKind.BRACKET_L,
  TokenKind.PAREN_L,
]);
const CLOSING: ReadonlySet<TokenKind> = new Set([
  TokenKind.BRACE_R,
  TokenKind.BRACKET_R,
  TokenKind.PAREN_R,
]);

function fragmentsOf(document: DocumentNode): Map<string, FragmentDefinitionNode> {
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const definition of document.definitions) {
    if (definition.kind === Kind.FRAGMENT_DEFINITION)
      fragments.set(definition.name.value, definition);
  }
  return fragments;
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
