import type { GraphQLSchema } from 'graphql';
import { getOperationAST, GraphQLError, parse, validate } from 'graphql';
import type { ServerOptions } from 'graphql-ws';
import { authorizeOperation } from '../auth/operation-policy';
import { type ErrorFormatter, formatExecutionResult } from '../errors/format-error';
import type { GraphqlContextFactory } from './graphql-context';
import { enforceQueryLimits, type QueryLimits } from './query-limits';

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
      let document;
      try {
        document = parse(payload.query);
      } catch (error) {
        if (error instanceof GraphQLError) return [error];
        throw error;
      }
      const currentSchema = schema();
      const validationErrors = validate(currentSchema, document);
      if (validationErrors.length > 0) return validationErrors;
      const operation = getOperationAST(document, payload.operationName);
      if (!operation) return [new GraphQLError('Unable to identify the operation to run.')];
      const variables = payload.variables ?? {};
      try {
        authorizeOperation(
          { identity: contexts.identityOfSocket(ctx), credentialError: null },
          document,
          operation,
        );
        enforceQueryLimits(currentSchema, document, operation, variables, limits);
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
