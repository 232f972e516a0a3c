export * from './api.errors';
export { createErrorFormatter, formatExecutionResult, type ErrorFormatter } from './format-error';
export { flattenValidationErrors, GraphqlValidationPipe } from './graphql-validation.pipe';
