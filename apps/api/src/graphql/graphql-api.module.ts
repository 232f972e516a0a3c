import { ApolloServerPluginCacheControlDisabled } from '@apollo/server/plugin/disabled';
import { ApolloDriver, type ApolloDriverConfig } from '@nestjs/apollo';
import {
  type DynamicModule,
  Inject,
  type MiddlewareConsumer,
  Module,
  type NestModule,
  RequestMethod,
} from '@nestjs/common';
import { GraphQLModule, GraphQLSchemaHost } from '@nestjs/graphql';
import { createErrorFormatter } from '../errors/format-error';
import { ErrorsModule } from '../errors/errors.module';
import { ExplorerModule } from '../explorer/explorer.module';
import { DateTimeScalar } from './date-time.scalar';
import { GraphqlContextFactory } from './graphql-context';
import { GraphqlContextModule } from './graphql-context.module';
import { graphqlWsOptions } from './graphql-ws.options';
import { HttpTransportModule } from './http-transport';
import { documentLimitsMiddleware } from './document-limits.middleware';
import { operationGuardPlugin } from './operation-guard.plugin';
import { DEFAULT_QUERY_LIMITS, type QueryLimits } from './query-limits';

export interface GraphqlApiOptions {
  readonly limits?: QueryLimits;
}

/** GraphQL over HTTP and graphql-ws at /graphql, with identity, errors, limits and explorer. */
const QUERY_LIMITS = Symbol('QUERY_LIMITS');

@Module({})
export class GraphqlApiModule implements NestModule {
  constructor(
    @Inject(QUERY_LIMITS) private readonly limits: QueryLimits,
    private readonly schemaHost: GraphQLSchemaHost,
  ) {}

  /** The query limits run before Apollo, on GET and POST alike. */
  configure(consumer: MiddlewareConsumer): void {
    consumer
      .apply(documentLimitsMiddleware(this.limits, () => this.schemaHost.schema))
      .forRoutes({ path: 'graphql', method: RequestMethod.ALL });
  }

  static forRoot(options: GraphqlApiOptions = {}): DynamicModule {
    const limits = options.limits ?? DEFAULT_QUERY_LIMITS;
    return {
      module: GraphqlApiModule,
      imports: [
        GraphqlContextModule,
        ErrorsModule,
        ExplorerModule,
        HttpTransportModule,
        GraphQLModule.forRootAsync<ApolloDriverConfig>({
          driver: ApolloDriver,
          imports: [GraphqlContextModule],
          inject: [GraphqlContextFactory, GraphQLSchemaHost],
          useFactory: (contexts: GraphqlContextFactory, schemaHost: GraphQLSchemaHost) => {
            const formatError = createErrorFormatter();
            return {
              autoSchemaFile: true,
              sortSchema: true,
              // Any `Date` without an explicit type is the strict DateTime too.
              buildSchemaOptions: { scalarsMap: [{ type: Date, scalar: DateTimeScalar }] },
              // A backstop: the operation guard counts tokens before parsing and says why.
              parseOptions: { maxTokens: limits.maxTokens },
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
              // Apollo's cache-control plugin makes Apollo wrap every resolver for per-field
              // hints this API never gives (the operation guard sends no-store instead).
              plugins: [operationGuardPlugin(), ApolloServerPluginCacheControlDisabled()],
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
      providers: [{ provide: QUERY_LIMITS, useValue: limits }],
      exports: [GraphqlContextModule],
    };
  }
}
