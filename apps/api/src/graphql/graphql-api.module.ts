import { ApolloDriver, type ApolloDriverConfig } from '@nestjs/apollo';
import { type DynamicModule, Module } from '@nestjs/common';
import { GraphQLModule, GraphQLSchemaHost } from '@nestjs/graphql';
import { createErrorFormatter } from '../errors/format-error';
import { ErrorsModule } from '../errors/errors.module';
import { ExplorerModule } from '../explorer/explorer.module';
import { GraphqlContextFactory } from './graphql-context';
import { GraphqlContextModule } from './graphql-context.module';
import { graphqlWsOptions } from './graphql-ws.options';
import { operationGuardPlugin } from './operation-guard.plugin';
import { DEFAULT_QUERY_LIMITS, type QueryLimits } from './query-limits';

export interface GraphqlApiOptions {
  readonly limits?: QueryLimits;
}

/** GraphQL over HTTP and graphql-ws at /graphql, with identity, errors, limits and explorer. */
@Module({})
export class GraphqlApiModule {
  static forRoot(options: GraphqlApiOptions = {}): DynamicModule {
    const limits = options.limits ?? DEFAULT_QUERY_LIMITS;
    return {
      module: GraphqlApiModule,
      imports: [
        GraphqlContextModule,
        ErrorsModule,
        ExplorerModule,
        GraphQLModule.forRootAsync<ApolloDriverConfig>({
          driver: ApolloDriver,
          imports: [GraphqlContextModule],
          inject: [GraphqlContextFactory, GraphQLSchemaHost],
          useFactory: (contexts: GraphqlContextFactory, schemaHost: GraphQLSchemaHost) => {
            const formatError = createErrorFormatter();
            return {
              autoSchemaFile: true,
              sortSchema: true,
              // Apollo's landing pages load from a CDN; ExplorerModule serves GraphiQL offline.
              playground: false,
              introspection: true,
              includeStacktraceInErrorResponses: false,
              // Every real operation carries `Authorization`, a header browsers cannot add to
              // a cross-site "simple" request, so requiring it (or Apollo's usual headers)
              // keeps CSRF prevention while `curl -H 'Authorization: …' '…?query=…'` works.
              csrfPrevention: {
                requestHeaders: [
                  'authorization',
                  'x-apollo-operation-name',
                  'apollo-require-preflight',
                ],
              },
              context: contexts.create,
              formatError,
              plugins: [operationGuardPlugin(limits)],
              subscriptions: {
                'graphql-ws': graphqlWsOptions(
                  contexts,
                  () => schemaHost.schema,
                  limits,
                  formatError,
                ),
              },
            };
          },
        }),
      ],
      exports: [GraphqlContextModule],
    };
  }
}
