import type { GraphQLSchema } from 'graphql';
import { getOperationAST, GraphQLError, parse, validate } from 'graphql';
import type { ServerOptions } from 'graphql-ws';
import { authorizeOperation } from '../auth/operation-policy';
import { type ErrorFormatter, formatExecutionResult } from '../errors/format-error';
import { annotateInputErrors } from '../errors/input-paths';
import type { GraphqlContextFactory } from './graphql-context';
import { enforceDocumentLimits, enforceSourceLimits, type QueryLimits } from './query-limits';

type SocketOptions = Pick<
  ServerOptions<Record<string, unknown> | undefined, unknown>,
  'onConnect' | 'onSubscribe' | 'onNext' | 'onError'
>;

/**
 * graphql-ws hooks. Apollo's plugins do not see WebSocket traffic, so the connection is
 * authenticated in `onConnect` (token in the `connection_init` payload) and each operation
 * gets the same access rule and limits as over HTTP in `onSubscribe`; results and errors
 * are shaped by the same formatter.
 */
export function graphqlWsOptions(
  contexts: GraphqlContextFactory,
  schema: () => GraphQLSchema,
  limits: QueryLimits,
  format: ErrorFormatter,
): SocketOptions {
  return {
    onConnect: (ctx) => contexts.authenticateSocket(ctx),
    onSubscribe: (ctx, _id, payload) => {
      const currentSchema = schema();
      const variables = payload.variables ?? {};
      let document;
      try {
        // The same order as over HTTP: limits on the tokens, on the document, then validation.
        enforceSourceLimits(payload.query, limits);
      } catch (error) {
        if (error instanceof GraphQLError) return [error];
        throw error;
      }
      try {
        document = parse(payload.query, { maxTokens: limits.maxTokens });
      } catch (error) {
        if (error instanceof GraphQLError) return [coded(error, 'GRAPHQL_PARSE_FAILED')];
        throw error;
      }
      try {
        enforceDocumentLimits(currentSchema, document, payload.operationName, variables, limits);
      } catch (error) {
        if (error instanceof GraphQLError) return [error];
        throw error;
      }
      const validationErrors = validate(currentSchema, document);
      if (validationErrors.length > 0) {
        annotateInputErrors(document, validationErrors);
        return validationErrors.map((e) => coded(e, 'GRAPHQL_VALIDATION_FAILED'));
      }
      const operation = getOperationAST(document, payload.operationName);
      if (!operation) {
        return [
          coded(
            new GraphQLError('Unable to identify the operation to run.'),
            'OPERATION_RESOLUTION_FAILURE',
          ),
        ];
      }
      try {
        authorizeOperation(
          { identity: contexts.identityOfSocket(ctx), credentialError: null },
          document,
          operation,
        );
      } catch (error) {
        if (error instanceof GraphQLError) return [error];
        throw error;
      }
      // No contextValue: graphql-ws then builds it with the GraphQLModule `context` factory.
      return {
        schema: currentSchema,
        document,
        operationName: payload.operationName,
        variableValues: variables,
      };
    },
    onNext: (_ctx, _id, _payload, _args, result) => formatExecutionResult(result, format),
    onError: (_ctx, _id, _payload, errors) => errors.map((e) => format(e.toJSON(), e)),
  };
}

/** graphql-js errors carry no code; Apollo gives these over HTTP, so the socket does too. */
function coded(error: GraphQLError, code: string): GraphQLError {
  return new GraphQLError(error.message, {
    nodes: error.nodes,
    source: error.source,
    positions: error.positions,
    originalError: error.originalError ?? error,
    extensions: { ...error.extensions, code },
  });
}
