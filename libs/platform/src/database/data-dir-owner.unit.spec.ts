import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  clearOwnerRecord,
  identify,
  isAlive,
  isReaped,
  ownerFileOf,
  readOwnerRecord,
  servesFolder,
  stillRuns,
  writeOwnerRecord,
} from './data-dir-owner';

const bootId = readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
const pause = () => new Promise((r) => setTimeout(r, 20));

function sleeper(options: { cwd?: string } = {}): ChildProcess {
  return spawn('sleep', ['30'], { stdio: 'ignore', ...options });
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGKILL');
  await exited;
}

describe('The owner record of a data folder', () => {
  let dir: string;
  const children: ChildProcess[] = [];
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'okr-ledger-owner-'));
  });
  afterEach(async () => {
    await Promise.all(children.splice(0).map(stop));
    await rm(dir, { recursive: true, force: true });
  });

  describe('when a recorded process still runs', () => {
    it('is the same process by pid and start time', () => {
      const child = sleeper();
      children.push(child);
      const identity = identify(child.pid!);
      expect(identity.startTime).toMatch(/^\d+$/);
      expect(stillRuns(identity, bootId)).toBe(true);
    });
  });

  describe('when the recorded pid now belongs to another process', () => {
    it('tells them apart by start time', () => {
      const child = sleeper();
      children.push(child);
      const identity = identify(child.pid!);
      const other = String(Number(identity.startTime) - 1);
      expect(stillRuns({ ...identity, startTime: other }, bootId)).toBe(false);
    });
  });

  describe('when the record comes from another boot', () => {
    it('names no running process, whatever runs under that pid now', () => {
      expect(stillRuns(identify(process.pid), 'another-boot')).toBe(false);
      expect(stillRuns(identify(process.pid), bootId)).toBe(true);
    });
  });

  describe('when the recorded process has exited', () => {
    it('no longer runs', async () => {
      const child = sleeper();
      const identity = identify(child.pid!);
      await stop(child);
      expect(stillRuns(identity, bootId)).toBe(false);
    });
  });

  describe('when a killed process is a zombie its parent has not reaped', () => {
    it('does not count as alive, though its pid is still taken', async () => {
      // sh starts a short child, then becomes `sleep`, which never reaps it.
      const parent = spawn('sh', ['-c', 'sleep 0 & exec sleep 30'], { stdio: 'ignore' });
      children.push(parent);
      let zombie: number | undefined;
      while (zombie === undefined) {
        for (const entry of await readdir('/proc')) {
          if (!/^\d+$/.test(entry)) continue;
          let stat: string;
          try {
            stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
          } catch {
            continue; // exited while we looked
          }
          const [state, ppid] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
          if (Number(ppid) === parent.pid && state === 'Z') zombie = Number(entry);
        }
        await pause();
      }
      expect(isAlive(zombie)).toBe(false);
      expect(isReaped(zombie)).toBe(false);
    });
  });

  describe('when asked whether a process serves a folder', () => {
    it('answers from the folder it works in', async () => {
      const child = sleeper({ cwd: dir });
      children.push(child);
      // The cwd is set between fork and exec: wait for the exec'd sleep.
      while (!readFileSync(`/proc/${child.pid}/cmdline`, 'utf8').startsWith('sleep')) await pause();
      expect(servesFolder(child.pid!, dir)).toBe(true);
      expect(servesFolder(child.pid!, tmpdir())).toBe(false);
    });
  });

  describe('when the record is written, read and cleared', () => {
    it('names this process as the owner and is removed only by it', async () => {
      expect(await readOwnerRecord(dir)).toBeUndefined();
      const postmaster = identify(process.pid);
      await writeOwnerRecord(dir, postmaster, 4242);
      expect(await readOwnerRecord(dir)).toMatchObject({
        owner: identify(process.pid),
        postmaster,
        watchdog: 4242,
        bootId,
      });

      await writeFile(
        ownerFileOf(dir),
        JSON.stringify({ owner: { pid: 1 }, postmaster: { pid: 2 }, since: 'x' }),
      );
      await clearOwnerRecord(dir);
      expect((await readOwnerRecord(dir))?.owner.pid).toBe(1);

      await writeOwnerRecord(dir, postmaster, undefined);
      await clearOwnerRecord(dir);
      expect(await readOwnerRecord(dir)).toBeUndefined();
    });
  });

  describe('when the record is not one', () => {
    it('is ignored, so nothing is taken over on its word', async () => {
      await writeFile(ownerFileOf(dir), '{"owner": {"pid": "x"}');
      expect(await readOwnerRecord(dir)).toBeUndefined();
      await writeFile(ownerFileOf(dir), '{"owner": {"pid": 1}}');
      expect(await readOwnerRecord(dir)).toBeUndefined();
    });
  });
});
