export * from './config/config';
export * from './database/embedded-postgres.runner';
