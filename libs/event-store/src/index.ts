export * from './event-store.port';
export * from './event-store.errors';
export {
  START_POSITION,
  comparePositions,
  formatPosition,
  isPosition,
  maxPosition,
  parsePosition,
} from './positions';
export * from './upcasters';
export { WakeUps } from './polling-subscription';
export * from './fold-stream';
export * from './handle-command';
export * from './idempotency';
export * from './postgres/postgres-event-store';
export * from './postgres/serving-role';
export {
  MIGRATIONS,
  migrateEventStore,
  EVENT_STORE_SCHEMA,
  APPEND_CHANNEL,
} from './postgres/postgres-migrations';
export * from './eventstoredb/eventstoredb-event-store';
export * from './open-event-store';
export * from './ledger/canonical-event';
export * from './ledger/merkle-tree';
export * from './ledger/signed-checkpoint';
export * from './ledger/evidence-bundle';
export * from './postgres/postgres-ledger';
