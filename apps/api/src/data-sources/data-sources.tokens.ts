/** `DataSourceQueries`: the data-sources read model. */
export const DATA_SOURCE_QUERIES = Symbol('DATA_SOURCE_QUERIES');
