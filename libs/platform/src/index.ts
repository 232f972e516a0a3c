export * from './config/config';
export * from './config/ledger-signing-key';
export * from './database/embedded-postgres.runner';
export * from './database/database-roles';
export * from './database/pg-notify';
export * from './database/statement-names';
