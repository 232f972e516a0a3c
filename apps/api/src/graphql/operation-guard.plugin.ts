import type { ApolloServerPlugin } from '@apollo/server';
import { authorizeOperation } from '../auth/operation-policy';
import type { GraphqlContext } from './graphql-context';
import { enforceQueryLimits, type QueryLimits } from './query-limits';

/**
 * Runs, for every HTTP operation once it is parsed and validated, the access rule and then
 * the size limits. (graphql-ws operations get the same two checks in `onSubscribe`.)
 */
export function operationGuardPlugin(limits: QueryLimits): ApolloServerPlugin<GraphqlContext> {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ contextValue, document, operation, schema, request }) {
          // Apollo only gets here with a resolved operation; the check keeps the types honest.
          if (!operation) return;
          authorizeOperation(contextValue, document, operation);
          enforceQueryLimits(schema, document, operation, request.variables ?? {}, limits);
        },
      };
    },
  };
}
