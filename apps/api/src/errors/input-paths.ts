import {
  type ASTNode,
  type ArgumentNode,
  type DocumentNode,
  type GraphQLError,
  Kind,
  type ValueNode,
  visit,
} from 'graphql';
import type { FieldError } from './api.errors';

/**
 * graphql-js reports a literal that does not fit its type (`createTeam(input: {name: 123})`)
 * with the value node only. This names it the way `fieldErrors` do elsewhere — argument,
 * then input fields and list indexes (`input.name`, `filter.eventTypes[2]`) — and adds
 * `fieldErrors` to the error's extensions, which Apollo keeps when it wraps the error. Runs
 * only for documents that failed validation, so valid ones cost nothing.
 */
export function annotateInputErrors(document: DocumentNode, errors: readonly GraphQLError[]): void {
  let paths: Map<ASTNode, string> | undefined;
  for (const error of errors) {
    const fieldError =
      missingArgument(error.message) ?? valueError(error, (paths ??= pathsOf(document)));
    if (fieldError) Object.assign(error.extensions, { fieldErrors: [fieldError] });
  }
}

/** The same reading for a variable coercion message of graphql-js. */
export function variableFieldError(message: string): FieldError | undefined {
  const nullOrMissing = NULL_VARIABLE.exec(message);
  if (nullOrMissing) {
    return { path: nullOrMissing[1] ?? '', constraint: 'required', message };
  }
  const match = INVALID_VARIABLE.exec(message);
  if (match) {
    const [, variable = '', at, detail = message] = match;
    return nested(at ?? variable, detail);
  }
  // The value is printed unescaped (object keys may hold quotes): read the tail instead.
  const variable = /^Variable "\$([^"]+)"/.exec(message)?.[1];
  if (variable === undefined) return undefined;
  const tail = /; (Field "[^"]+" (?:is not defined by type|of required type) [^;]*)$/.exec(message);
  return tail?.[1] ? nested(variable, tail[1]) : { path: variable, constraint: 'type', message };
}

// Variable "$id" of non-null type "ID!" must not be null. / … of required type "ID!" was not provided.
const NULL_VARIABLE =
  /^Variable "\$([^"]+)" of (?:non-null|required) type "[^"]+" (?:must not be null|was not provided)\.$/;
// Variable "$input" got invalid value -1 at "input.targetValue"; Expected …
// (The value is skipped string by string, so a "; " inside one does not end it.)
const INVALID_VARIABLE =
  /^Variable "\$([^"]+)" got invalid value (?:"(?:[^"\\]|\\.)*"|[^"])*?(?: at "([_A-Za-z]\w*(?:\.[_A-Za-z]\w*|\[\d+\])*)")?; (.*)$/s;
// Field "CreateTeamInput.name" of required type "String!" was not provided. (literals)
// Field "name" of required type "String!" was not provided. (variables)
const MISSING_FIELD = /^Field "(?:[^".]+\.)?([^".]+)" of required type "[^"]+" was not provided\./;
// Field "nmae" is not defined by type "CreateTeamInput". (and a "Did you mean" tail)
const UNKNOWN_FIELD = /^Field "([^"]+)" is not defined by type "[^"]+"\./;
// Field "createTeam" argument "input" of type "CreateTeamInput!" is required, but it was not provided.
const MISSING_ARGUMENT =
  /^(?:Field|Directive) "[^"]+" argument "([^"]+)" of type "[^"]+" is required, but it was not provided\.$/;

function nested(path: string, detail: string): FieldError {
  const missing = MISSING_FIELD.exec(detail);
  if (missing)
    return { path: join(path, missing[1] ?? ''), constraint: 'required', message: detail };
  const unknown = UNKNOWN_FIELD.exec(detail);
  if (unknown)
    return { path: join(path, unknown[1] ?? ''), constraint: 'unknown', message: detail };
  return { path, constraint: 'type', message: detail };
}

function missingArgument(message: string): FieldError | undefined {
  const match = MISSING_ARGUMENT.exec(message);
  return match ? { path: match[1] ?? '', constraint: 'required', message } : undefined;
}

function valueError(error: GraphQLError, paths: Map<ASTNode, string>): FieldError | undefined {
  const node = error.nodes?.[0];
  const path = node && paths.get(node);
  if (path === undefined) return undefined;
  // An unknown field's node is the field itself, already named by its path.
  if (node?.kind === Kind.OBJECT_FIELD) {
    return { path, constraint: 'unknown', message: error.message };
  }
  return nested(path, error.message);
}

/** Every value node written in the document, with its path from the argument (or variable). */
function pathsOf(document: DocumentNode): Map<ASTNode, string> {
  const paths = new Map<ASTNode, string>();
  const record = (value: ValueNode, path: string) => {
    paths.set(value, path);
    if (value.kind === Kind.LIST) value.values.forEach((item, i) => record(item, `${path}[${i}]`));
    if (value.kind === Kind.OBJECT) {
      for (const field of value.fields) {
        const fieldPath = join(path, field.name.value);
        paths.set(field, fieldPath);
        record(field.value, fieldPath);
      }
    }
  };
  visit(document, {
    Argument(node: ArgumentNode) {
      record(node.value, node.name.value);
      return false;
    },
    VariableDefinition(node) {
      if (node.defaultValue) record(node.defaultValue, node.variable.name.value);
      return false;
    },
  });
  return paths;
}

function join(prefix: string, name: string): string {
  if (prefix === '') return name;
  return name === '' ? prefix : `${prefix}.${name}`;
}
