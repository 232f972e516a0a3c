import 'reflect-metadata';
import { ConfigError, loadConfig } from '@okr-ledger/platform';
import { Projector, READ_MODEL_PROJECTIONS } from '@okr-ledger/read-models';
import { openProjectorDatabase } from './projector.database';

/**
 * The projector alone, for scale-out (run the API with PROJECTOR=external). Several copies may
 * run: each projection is active in one of them and the others take over when it dies.
 */
async function main(): Promise<void> {
  const config = loadConfig();
  // Scaled out, the projector and the APIs share one external server.
  if (!config.databaseUrl) throw new ConfigError('DATABASE_URL', 'is required by the projector');
  const log = (message: string): void => void process.stderr.write(`okr-projector: ${message}\n`);
  const opened = await openProjectorDatabase(config, log);
  const projector = new Projector({
    store: opened.store,
    databaseUrl: opened.database.url,
    projections: READ_MODEL_PROJECTIONS,
  });
  await projector.start();
  log(`running ${READ_MODEL_PROJECTIONS.map((p) => p.name).join(', ')}`);

  let stopping = false;
  const stop = async (signal: string): Promise<void> => {
    if (stopping) return;
    stopping = true;
    log(`${signal} received: stopping`);
    await projector.stop();
    await opened.close();
    process.exit(0);
  };
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.on(signal, () => void stop(signal));
  }
}

main().catch((error: unknown) => {
  const message =
    error instanceof ConfigError
      ? `invalid configuration: ${error.message}`
      : `failed: ${String(error)}`;
  process.stderr.write(`okr-projector: ${message}\n`);
  process.exit(1);
});
