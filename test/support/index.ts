export * from './test-database';
export * from './test-app';
export * from './graphql-client';
export * from './okr-fixtures';
export * from './live-subscription';
export * from './child-process';
