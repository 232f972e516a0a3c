import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { freePort } from '@okr-ledger/platform';
import {
  createCycle,
  createKeyResult,
  createObjective,
  GraphqlClient,
  launch as launchEntry,
  type Launched,
  waitForOutput,
} from '@okr-ledger/testing';

// The stated bound: a restart after a crash serves again within 20 s.
const RESTART_BOUND_MS = 20_000;
const CLIENTS = 4;
// Acknowledged writes before the kill: enough that every kind of write is in flight at it.
const ACKS_BEFORE_KILL = 36;

interface Api {
  readonly process: Launched;
  readonly port: number;
  readonly url: string;
}

/** Starts the real entry point on `dataDir`; resolves once it has spawned, not once it serves. */
async function startApi(dataDir: string): Promise<Api> {
  const port = await freePort();
  const launched = launchEntry('apps/api/src/main.ts', {
    PORT: String(port),
    OKR_DATA_DIR: dataDir,
  });
  return { process: launched, port, url: `http://127.0.0.1:${port}` };
}

/** Polls /health until it answers 200; false once `deadline` passes or the process exits. */
async function healthyBy(api: Api, deadline: number): Promise<boolean> {
  while (Date.now() < deadline && api.process.child.exitCode === null) {
    const ok = await fetch(`${api.url}/health`).then(
      (r) => r.status === 200,
      () => false,
    );
    if (ok) return true;
    await new Promise((r) => setTimeout(r, 100));
  }
  return false;
}

interface Health {
  details?: { projections?: { lag?: Record<string, { eventsBehind: number }> } };
}

/** Waits until every projection has applied the whole log (the test's own timeout bounds it). */
async function caughtUp(api: Api): Promise<void> {
  for (;;) {
    const health = (await (await fetch(`${api.url}/health`)).json()) as Health;
    const lag = Object.values(health.details?.projections?.lag ?? {});
    if (lag.length > 0 && lag.every((l) => l.eventsBehind === 0)) return;
    await new Promise((r) => setTimeout(r, 100));
  }
}

interface Owner {
  readonly owner: { pid: number };
  readonly postmaster: { pid: number };
  readonly watchdog?: number;
}

const ownerOf = async (dataDir: string): Promise<Owner> =>
  JSON.parse(await readFile(join(dataDir, 'owner.json'), 'utf8')) as Owner;

/** The children of `pid` (PostgreSQL's backends and helpers of a postmaster), from /proc. */
async function childrenOf(pid: number): Promise<number[]> {
  const children: number[] = [];
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid === pid) children.push(Number(entry));
    } catch {
      // Exited while we looked.
    }
  }
  return children;
}

/** Alive and not a zombie (a killed process its new parent has not reaped yet). */
function isRunning(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return !/^[ZX]/.test(stat.slice(stat.lastIndexOf(')') + 2));
  } catch {
    return false;
  }
}

const killHard = (pid: number): void => {
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    // Already gone.
  }
};

type Kind = 'cycle' | 'objective' | 'check-in';

/** A write the API acknowledged: its id and the unique label it was given. */
interface Ack {
  readonly kind: Kind;
  readonly id: string;
  readonly label: string;
  readonly client: number;
}

interface Seed {
  readonly client: GraphqlClient;
  readonly cycleId: string;
  readonly keyResultId: string;
}

const SCHEDULE = `mutation ($input: ScheduleCycleInput!) { scheduleCycle(input: $input) { id name } }`;
const SET_OBJECTIVE = `mutation ($input: SetObjectiveInput!) { setObjective(input: $input) { id title } }`;
const CHECK_IN = `mutation ($input: CheckInKeyResultInput!) { checkInKeyResult(input: $input) { id progress } }`;

/**
 * One client writing as fast as it is answered until the server goes away, recording every
 * acknowledged write. A write in flight at the kill may or may not have happened; only the
 * acknowledged ones are promised.
 */
async function writeUntilKilled(seed: Seed, index: number, acks: Ack[]): Promise<void> {
  for (let i = 0; ; i += 1) {
    const kind: Kind = (['cycle', 'objective', 'check-in'] as const)[i % 3]!;
    const label = `crash-${kind}-${index}-${i}`;
    let body;
    try {
      if (kind === 'cycle') {
        body = await seed.client.send(SCHEDULE, {
          input: { name: label, startsAt: '2026-01-01T00:00:00Z', endsAt: '2026-03-31T23:59:59Z' },
        });
      } else if (kind === 'objective') {
        body = await seed.client.send(SET_OBJECTIVE, {
          input: { cycleId: seed.cycleId, title: label, ownerId: 'ana' },
        });
      } else {
        body = await seed.client.send(CHECK_IN, {
          input: { keyResultId: seed.keyResultId, value: i, progress: label },
        });
      }
    } catch {
      // Connection refused or reset: the server is gone.
      return;
    }
    const payload = Object.values(body.data ?? {})[0] as { id?: string } | null | undefined;
    if (!body.errors?.length && payload?.id) {
      acks.push({ kind, id: payload.id, label, client: index });
    }
  }
}

/** Every row of every read-model table (not the checkpoints or stall bookkeeping), sorted. */
async function readModelRows(databaseUrl: string): Promise<Record<string, string[]>> {
  const client = new Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const { rows: tables } = await client.query<{ name: string }>(
      `SELECT table_name AS name FROM information_schema.tables
        WHERE table_schema = 'read_models' AND table_type = 'BASE TABLE'
          AND table_name <> 'projection_checkpoints' AND table_name NOT LIKE '%stall%'
        ORDER BY table_name`,
    );
    const dump: Record<string, string[]> = {};
    for (const { name } of tables) {
      const { rows } = await client.query(
        `SELECT * FROM read_models.${client.escapeIdentifier(name)}`,
      );
      dump[name] = rows.map((row) => JSON.stringify(row)).sort();
    }
    return dump;
  } finally {
    await client.end();
  }
}

const databaseUrlOf = async (api: Api): Promise<string> => {
  const port = await waitForOutput(api.process, /embedded PostgreSQL on 127\.0\.0\.1:(\d+)/);
  return `postgres://okr:okr-ledger-embedded@127.0.0.1:${port}/okr_ledger`;
};

/** How each scenario takes the running API down. */
const CRASHES: [string, (api: Api, dataDir: string) => Promise<void>][] = [
  [
    'the API alone (its watchdog then stops the PostgreSQL)',
    async (api) => {
      killHard(api.process.child.pid!);
    },
  ],
  [
    'the API and its watchdog (the PostgreSQL is left running, orphaned)',
    async (api, dataDir) => {
      const { watchdog } = await ownerOf(dataDir);
      expect(watchdog).toEqual(expect.any(Number));
      killHard(watchdog!);
      killHard(api.process.child.pid!);
    },
  ],
  [
    'every process, PostgreSQL included (a power cut: its lock file stays behind)',
    (api, dataDir) => killEverything(api, dataDir),
  ],
];

/** SIGKILL to the API, its watchdog and the PostgreSQL with all its processes. */
async function killEverything(api: Api, dataDir: string): Promise<void> {
  const { watchdog, postmaster } = await ownerOf(dataDir);
  const backends = await childrenOf(postmaster.pid);
  for (const pid of [watchdog!, api.process.child.pid!, postmaster.pid, ...backends]) {
    killHard(pid);
  }
}

describe('The API on the data folder of its embedded PostgreSQL', () => {
  let dataDir: string;
  const running: Api[] = [];

  beforeEach(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'okr-ledger-crash-'));
  });
  afterEach(async () => {
    for (const api of running.splice(0)) {
      if (api.process.child.exitCode === null && api.process.child.signalCode === null) {
        api.process.child.kill('SIGTERM');
        await api.process.exited;
      }
    }
    // A failed test may leave a PostgreSQL running: stop it before its folder goes.
    const postmaster = await ownerOf(dataDir).then(
      (o) => o.postmaster.pid,
      () => undefined,
    );
    if (postmaster !== undefined && isRunning(postmaster)) {
      process.kill(postmaster, 'SIGINT');
      while (isRunning(postmaster)) await new Promise((r) => setTimeout(r, 100));
    }
    await rm(dataDir, { recursive: true, force: true });
  });

  describe.each(CRASHES)('when SIGKILL under write load takes down %s', (_, crash) => {
    it('starts again on the same folder within 20 s with every acknowledged write there exactly once and read models equal to a rebuild', async () => {
      const first = await startApi(dataDir);
      running.push(first);
      await waitForOutput(first.process, /GraphQL: +http:\/\/localhost/);

      const seeds: Seed[] = [];
      for (let c = 0; c < CLIENTS; c += 1) {
        const client = await GraphqlClient.as(first.url, { sub: `writer-${c}`, org: 'acme' });
        const cycle = await createCycle(client, { name: `base-${c}` });
        const objective = await createObjective(client, { cycleId: cycle.id, title: `base-${c}` });
        const keyResult = await createKeyResult(client, { objectiveId: objective.id });
        seeds.push({ client, cycleId: cycle.id, keyResultId: keyResult.id });
      }

      const acks: Ack[] = [];
      const load = seeds.map((seed, c) => writeUntilKilled(seed, c, acks));
      while (acks.length < ACKS_BEFORE_KILL) {
        if (first.process.child.exitCode !== null) throw new Error(first.process.output());
        await new Promise((r) => setTimeout(r, 20));
      }
      await crash(first, dataDir);
      await first.process.exited;
      await Promise.all(load);
      expect(new Set(acks.map((a) => a.kind))).toEqual(new Set(['cycle', 'objective', 'check-in']));

      const started = Date.now();
      const second = await startApi(dataDir);
      running.push(second);
      const healthy = await healthyBy(second, started + RESTART_BOUND_MS);
      if (!healthy) throw new Error(`not healthy within 20 s:\n${second.process.output()}`);
      expect(second.process.output()).not.toContain('Creating a new embedded PostgreSQL cluster');
      await caughtUp(second);

      // Every acknowledged write, by id, carrying the label it was given.
      // An AUDITOR sees every objective, the writer's PRIVATE (teamless) ones included.
      const reader = await GraphqlClient.as(second.url, {
        sub: 'auditor',
        org: 'acme',
        roles: ['AUDITOR'],
      });
      for (const ack of acks.filter((a) => a.kind === 'cycle')) {
        const { cycle } = await reader.data(`query ($id: ID!) { cycle(id: $id) { name } }`, {
          id: ack.id,
        });
        expect(cycle).toEqual({ name: ack.label });
      }
      for (const ack of acks.filter((a) => a.kind === 'objective')) {
        const { objective } = await reader.data(
          `query ($id: ID!) { objective(id: $id) { title } }`,
          { id: ack.id },
        );
        expect(objective).toEqual({ title: ack.label });
      }

      // No label twice (a write recorded twice would show), and each acknowledged one once.
      const { cycles } = await reader.data<{ cycles: { id: string; name: string }[] }>(
        `{ cycles { id name } }`,
      );
      const labels: string[] = cycles.map((c) => c.name);
      const checkInIds = new Set<string>();
      type Page<T> = { totalCount: number; edges: { node: T }[] };
      for (const seed of seeds) {
        const { objectives } = await reader.data<{ objectives: Page<{ title: string }> }>(
          `query ($cycleId: ID!) { objectives(cycleId: $cycleId, first: 100) { totalCount edges { node { title } } } }`,
          { cycleId: seed.cycleId },
        );
        const { keyResult } = await reader.data<{
          keyResult: { checkIns: Page<{ id: string; progress: string }> };
        }>(
          `query ($id: ID!) { keyResult(id: $id) { checkIns(first: 100) { totalCount edges { node { id progress } } } } }`,
          { id: seed.keyResultId },
        );
        // One page holds them all (else a duplicate could hide on the next).
        expect(objectives.edges).toHaveLength(objectives.totalCount);
        expect(keyResult.checkIns.edges).toHaveLength(keyResult.checkIns.totalCount);
        labels.push(...objectives.edges.map((e) => e.node.title));
        for (const { node } of keyResult.checkIns.edges) {
          labels.push(node.progress);
          checkInIds.add(node.id);
        }
      }
      const crashLabels = labels.filter((l) => l.startsWith('crash-'));
      expect(crashLabels.length).toBe(new Set(crashLabels).size);
      for (const ack of acks) {
        expect(crashLabels.filter((l) => l === ack.label)).toHaveLength(1);
      }
      for (const ack of acks.filter((a) => a.kind === 'check-in')) {
        expect(checkInIds.has(ack.id)).toBe(true);
      }

      // What the projections built live, across the crash, is what a replay of the log builds.
      const databaseUrl = await databaseUrlOf(second);
      const live = await readModelRows(databaseUrl);
      expect(Object.keys(live).length).toBeGreaterThan(0);
      const rebuild = launchEntry('apps/projector/src/okr.cli.ts', { OKR_DATA_DIR: dataDir }, [
        'rebuild',
      ]);
      const rebuilt = await rebuild.exited;
      if (rebuilt !== 0) throw new Error(`rebuild exited ${rebuilt}:\n${rebuild.output()}`);
      expect(await readModelRows(databaseUrl)).toEqual(live);

      second.process.child.kill('SIGTERM');
      expect(await second.process.exited).toBe(0);
    }, 180_000);
  });

  describe('when only the API is killed with SIGKILL', () => {
    it('has its watchdog stop the PostgreSQL cleanly, so the next start finds nothing to stop', async () => {
      const first = await startApi(dataDir);
      running.push(first);
      await waitForOutput(first.process, /GraphQL: +http:\/\/localhost/);
      const { postmaster, watchdog } = await ownerOf(dataDir);
      killHard(first.process.child.pid!);
      await first.process.exited;
      // A fast shutdown removes the lock file on its way out (the test's timeout bounds this).
      const lockFile = join(dataDir, 'pg', 'postmaster.pid');
      while (isRunning(postmaster.pid) || existsSync(lockFile)) {
        await new Promise((r) => setTimeout(r, 100));
      }
      while (isRunning(watchdog!)) await new Promise((r) => setTimeout(r, 100));

      const second = await startApi(dataDir);
      running.push(second);
      await waitForOutput(second.process, /GraphQL: +http:\/\/localhost/);
      expect(second.process.output()).not.toContain('left running');
    }, 120_000);
  });

  describe('when the PostgreSQL of an API killed with SIGKILL still holds the folder', () => {
    it('stops that PostgreSQL cleanly at the next start and tells the user', async () => {
      const first = await startApi(dataDir);
      running.push(first);
      await waitForOutput(first.process, /GraphQL: +http:\/\/localhost/);
      const { postmaster } = await ownerOf(dataDir);
      await crashLeavingOrphan(first, dataDir);
      // The orphan still runs: without it this test would prove nothing.
      expect(isRunning(postmaster.pid)).toBe(true);

      const second = await startApi(dataDir);
      running.push(second);
      await waitForOutput(second.process, /GraphQL: +http:\/\/localhost/);
      expect(second.process.output()).toContain(
        `stopping the PostgreSQL it left running (pid ${postmaster.pid}) cleanly`,
      );
      expect((await ownerOf(dataDir)).owner.pid).toBe(second.process.child.pid);
    }, 120_000);
  });

  describe('when the pid of the dead owner now belongs to another process', () => {
    it('tells them apart by start time and still stops the orphaned PostgreSQL', async () => {
      const first = await startApi(dataDir);
      running.push(first);
      await waitForOutput(first.process, /GraphQL: +http:\/\/localhost/);
      await crashLeavingOrphan(first, dataDir);
      // This test's own live process takes the dead owner's pid; its start time differs.
      const record = JSON.parse(await readFile(join(dataDir, 'owner.json'), 'utf8')) as Owner;
      await writeFile(
        join(dataDir, 'owner.json'),
        JSON.stringify({ ...record, owner: { ...record.owner, pid: process.pid } }),
      );

      const second = await startApi(dataDir);
      running.push(second);
      await waitForOutput(second.process, /GraphQL: +http:\/\/localhost/);
      expect(second.process.output()).toContain(
        `this data folder (pid ${process.pid}) is gone; stopping the PostgreSQL it left running (pid ${record.postmaster.pid})`,
      );
    }, 120_000);
  });

  describe('when the lock file of a killed PostgreSQL names a pid now used by another process', () => {
    it('moves the stale lock file aside, starts within 20 s and keeps the data', async () => {
      const first = await startApi(dataDir);
      running.push(first);
      await waitForOutput(first.process, /GraphQL: +http:\/\/localhost/);
      const writer = await GraphqlClient.as(first.url, { sub: 'ana', org: 'acme' });
      const cycle = await createCycle(writer, { name: 'kept', start: false });
      await killEverything(first, dataDir);
      await first.process.exited;
      // As after a reboot: the pid PostgreSQL recorded is a live process, not a PostgreSQL.
      const lockFile = join(dataDir, 'pg', 'postmaster.pid');
      const [, ...rest] = (await readFile(lockFile, 'utf8')).split('\n');
      await writeFile(lockFile, [String(process.pid), ...rest].join('\n'));

      const started = Date.now();
      const second = await startApi(dataDir);
      running.push(second);
      const healthy = await healthyBy(second, started + RESTART_BOUND_MS);
      if (!healthy) throw new Error(`not healthy within 20 s:\n${second.process.output()}`);
      expect(second.process.output()).toContain(
        `Moving aside a stale PostgreSQL lock file naming pid ${process.pid}`,
      );
      const reader = await GraphqlClient.as(second.url, { sub: 'ana', org: 'acme' });
      expect(
        await reader.data(`query ($id: ID!) { cycle(id: $id) { name } }`, { id: cycle.id }),
      ).toEqual({ cycle: { name: 'kept' } });
    }, 120_000);
  });

  describe('when a second instance starts on the folder of a live one', () => {
    it('refuses it, leaving the first serving and the data alone', async () => {
      const first = await startApi(dataDir);
      running.push(first);
      await waitForOutput(first.process, /GraphQL: +http:\/\/localhost/);
      const before = await ownerOf(dataDir);

      const second = await startApi(dataDir);
      running.push(second);
      expect(await second.process.exited).toBe(1);
      expect(second.process.output()).toMatch(
        new RegExp(`in use by another OKR Ledger \\(PostgreSQL pid ${before.postmaster.pid}\\)`),
      );
      expect(second.process.output()).toContain('The data was not touched');

      expect(await ownerOf(dataDir)).toEqual(before);
      expect((await fetch(`${first.url}/health`)).status).toBe(200);
    }, 120_000);
  });
});

/** SIGKILL to the API and its watchdog together, as an OOM killer taking both would do. */
async function crashLeavingOrphan(api: Api, dataDir: string): Promise<void> {
  const { watchdog } = await ownerOf(dataDir);
  killHard(watchdog!);
  killHard(api.process.child.pid!);
  await api.process.exited;
}
