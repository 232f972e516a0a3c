import type { ApolloServerPlugin } from '@apollo/server';
import { GraphQLError, OperationTypeNode } from 'graphql';
import { authorizeOperation } from '../auth/operation-policy';
import { ApiError, ERROR_CODES } from '../errors/api.errors';
import { annotateInputErrors } from '../errors/input-paths';
import type { GraphqlContext } from './graphql-context';
import { statusForDocumentErrors } from './media-type';

/**
 * What Apollo checks of every HTTP operation, beside the query limits (checked before Apollo,
 * by `documentLimitsMiddleware`):
 * - after a failed validation, the path of every refused literal (for `fieldErrors`);
 * - once the operation is known, subscriptions sent to HTTP are refused, then the access rule;
 * - on the way out, the status a client accepting only `application/json` expects, and
 *   `cache-control: no-store` (what Apollo's cache-control plugin, disabled for its per-field
 *   cost, sent for responses without cache hints — this API gives none).
 * (graphql-ws operations get the same checks in `onSubscribe`.)
 */
export function operationGuardPlugin(): ApolloServerPlugin<GraphqlContext> {
  return {
    async requestDidStart({ request }) {
      const status = statusForDocumentErrors(request.http?.headers.get('accept'));
      return {
        async validationDidStart({ document }) {
          return async (errors) => {
            if (errors) {
              annotateInputErrors(
                document,
                errors.filter((e): e is GraphQLError => e instanceof GraphQLError),
              );
            }
          };
        },
        async didResolveOperation({ contextValue, document, operation }) {
          // Apollo only gets here with a resolved operation; the check keeps the types honest.
          if (!operation) return;
          if (operation.operation === OperationTypeNode.SUBSCRIPTION) {
            throw new ApiError(
              'Subscriptions run over graphql-ws (WebSocket) at this URL, not over HTTP.',
              ERROR_CODES.BAD_REQUEST,
              {},
              400,
            );
          }
          authorizeOperation(contextValue, document, operation);
        },
        async willSendResponse({ response }) {
          response.http.headers.set('cache-control', 'no-store');
          // Parse, validation and coercion failures: 200 for an `application/json` client.
          if (status === 400 || response.http.status !== 400) return;
          if (response.body.kind !== 'single' || 'data' in response.body.singleResult) return;
          const errors = response.body.singleResult.errors ?? [];
          if (errors.length > 0 && errors.every((e) => isDocumentError(e.extensions?.code))) {
            response.http.status = status;
          }
        },
      };
    },
  };
}

const DOCUMENT_ERROR_CODES: ReadonlySet<unknown> = new Set([
  'GRAPHQL_PARSE_FAILED',
  'GRAPHQL_VALIDATION_FAILED',
  ERROR_CODES.BAD_USER_INPUT,
  ERROR_CODES.QUERY_TOO_DEEP,
  ERROR_CODES.QUERY_TOO_COMPLEX,
  ERROR_CODES.QUERY_TOO_LARGE,
  ERROR_CODES.TOO_MANY_ALIASES,
  ERROR_CODES.TOO_MANY_MUTATIONS,
]);

function isDocumentError(code: unknown): boolean {
  return DOCUMENT_ERROR_CODES.has(code);
}
