import { execFileSync } from 'node:child_process';
import { readFileSync, readlinkSync, realpathSync } from 'node:fs';
import { readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * One process, told apart from a later one that reuses its pid: the pid alone is not enough
 * after a crash (pids wrap, and a restarted container hands out the same low ones again).
 */
export interface ProcessIdentity {
  readonly pid: number;
  /** When it started (clock ticks since boot on Linux); absent when the system cannot say. */
  readonly startTime?: string;
}

/** Who runs the embedded PostgreSQL of a data folder, written beside the data. */
export interface DataDirOwnerRecord {
  /** The OKR Ledger process (API, demo loader, CLI) that started the PostgreSQL. */
  readonly owner: ProcessIdentity;
  readonly postmaster: ProcessIdentity;
  /** The process that stops the PostgreSQL should the owner die without doing it. */
  readonly watchdog?: number;
  /** A start time only means something within one boot. */
  readonly bootId?: string;
  readonly since: string;
}

const OWNER_FILE = 'owner.json';

export const ownerFileOf = (dataDir: string): string => join(dataDir, OWNER_FILE);

function currentBootId(): string | undefined {
  try {
    return readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim() || undefined;
  } catch {
    return undefined;
  }
}

interface ProcStat {
  readonly state: string;
  readonly startTime: string;
}

/** /proc/<pid>/stat: the command name may hold spaces and parentheses, so split after the last ')'. */
function procStat(pid: number): ProcStat | undefined | null {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    // ENOENT with a /proc: no such process. No /proc at all (macOS): unknown.
    return code === 'ENOENT' && hasProc() ? null : undefined;
  }
  const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
  // Fields 3 (state) and 22 (starttime) of proc(5), counted from the one after the name.
  const state = fields[0];
  const startTime = fields[19];
  return state && startTime ? { state, startTime } : undefined;
}

function hasProc(): boolean {
  try {
    readFileSync('/proc/self/stat');
    return true;
  } catch {
    return false;
  }
}

function psStartTime(pid: number): string | undefined {
  try {
    const out = execFileSync('ps', ['-o', 'lstart=', '-p', String(pid)], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    }).trim();
    return out || undefined;
  } catch {
    return undefined;
  }
}

function signalReaches(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but belongs to another user (the postgres user when we are root).
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Whether no process, not even a zombie, holds `pid` (PostgreSQL's own lock check asks this). */
export function isReaped(pid: number): boolean {
  return !signalReaches(pid);
}

/** Whether `pid` names a running process (a zombie, killed but not yet reaped, does not count). */
export function isAlive(pid: number): boolean {
  if (!signalReaches(pid)) return false;
  const stat = procStat(pid);
  if (stat === null) return false;
  return stat === undefined || (stat.state !== 'Z' && stat.state !== 'X');
}

/** The identity of a running process, with its start time when the system tells it. */
export function identify(pid: number): ProcessIdentity {
  const stat = procStat(pid);
  const startTime = stat ? stat.startTime : psStartTime(pid);
  return startTime === undefined ? { pid } : { pid, startTime };
}

/**
 * Whether `identity` (recorded in `bootId`) still runs. When the start time cannot be compared
 * a live pid counts as the same process: refusing to start is safer than stopping a stranger.
 */
export function stillRuns(identity: ProcessIdentity, bootId: string | undefined): boolean {
  const now = currentBootId();
  if (bootId !== undefined && now !== undefined && bootId !== now) return false;
  if (!isAlive(identity.pid)) return false;
  if (identity.startTime === undefined) return true;
  const current = identify(identity.pid).startTime;
  return current === undefined || current === identity.startTime;
}

/**
 * Whether `pid` is a PostgreSQL serving `pgDir`: a postmaster works in its data folder (it
 * changes into it at start). Undefined when the system does not let us look.
 */
export function servesFolder(pid: number, pgDir: string): boolean | undefined {
  try {
    return realpathSync(readlinkSync(`/proc/${pid}/cwd`)) === realpathSync(pgDir);
  } catch {
    return undefined;
  }
}

export async function readOwnerRecord(dataDir: string): Promise<DataDirOwnerRecord | undefined> {
  try {
    const parsed = JSON.parse(await readFile(ownerFileOf(dataDir), 'utf8')) as DataDirOwnerRecord;
    return Number.isInteger(parsed.owner?.pid) && Number.isInteger(parsed.postmaster?.pid)
      ? parsed
      : undefined;
  } catch {
    // Missing or unreadable: nobody can be shown to be dead, so nothing is taken over.
    return undefined;
  }
}

/** Records this process as the owner of `postmaster`, atomically (a reader never sees half). */
export async function writeOwnerRecord(
  dataDir: string,
  postmaster: ProcessIdentity,
  watchdog: number | undefined,
): Promise<DataDirOwnerRecord> {
  const bootId = currentBootId();
  const record: DataDirOwnerRecord = {
    owner: identify(process.pid),
    postmaster,
    ...(watchdog === undefined ? {} : { watchdog }),
    ...(bootId === undefined ? {} : { bootId }),
    since: new Date().toISOString(),
  };
  const file = ownerFileOf(dataDir);
  const partial = `${file}.${process.pid}.tmp`;
  await writeFile(partial, `${JSON.stringify(record, null, 2)}\n`);
  await rename(partial, file);
  return record;
}

/** Removes the owner record on a clean stop, unless another process has written its own since. */
export async function clearOwnerRecord(dataDir: string): Promise<void> {
  const record = await readOwnerRecord(dataDir);
  if (record?.owner.pid === process.pid) await rm(ownerFileOf(dataDir), { force: true });
}
