export type { GraphqlContext } from './graphql-context';
export {
  type LoaderFactory,
  type LoaderScope,
  type RequestLoaders,
  RequestLoadersRegistry,
} from './request-loaders';
export { DEFAULT_QUERY_LIMITS, measureOperation, type QueryLimits } from './query-limits';
export { GraphqlApiModule } from './graphql-api.module';
