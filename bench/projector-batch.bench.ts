/**
 * The projector's own cost per batch, without a projection's: `applyBatch` of one event with a
 * projection that writes nothing (what data-sources does with a person's check-in), then the
 * NOTIFY that tells other processes, and what the projector's own lock session did on hearing
 * it, one batch at a time on a throwaway embedded PostgreSQL. Per batch: wall time, this
 * process's CPU, the whole PostgreSQL server's CPU and write transactions.
 *
 * Run: node -r ./scripts/register-ts.cjs bench/projector-batch.bench.ts
 *   BENCH_BATCHES (300) per block, BENCH_BLOCKS (5) blocks per implementation;
 *   BENCH_BEFORE=<checkpoints.ts of another checkout>: its applyBatch followed by a NOTIFY
 *   transaction as its projector sent one (A), alternated block by block with this
 *   checkout's (B); BENCH_AFTER=<another checkpoints.ts>: B from that file instead (a variant
 *   beside the current code), and BENCH_BEFORE_NOTIFIES=1 when A's applyBatch notifies as B's
 *   does. BENCH_PROJECTION=<name>: one real projection instead, 6 real check-ins per batch
 *   (see realProjection). Prints JSON; writes nothing.
 */
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { resolve } from 'node:path';
import {
  formatPosition,
  START_POSITION as START,
  type RecordedEvent,
} from '@okr-ledger/event-store';
import { notifyListeners, startThrowawayPostgres } from '@okr-ledger/platform';
import {
  CHECKPOINT_CHANNEL,
  READ_MODEL_ENTITIES,
  READ_MODEL_MIGRATIONS,
  READ_MODEL_PROJECTIONS,
  type Projection,
} from '@okr-ledger/read-models';
import { Client, Pool } from 'pg';
import { DataSource } from 'typeorm';
import * as current from '../libs/read-models/src/projector/checkpoints';
import { readStalls } from '../libs/read-models/src/projector/stalls';
import { createHarness, seedCycle } from '../libs/read-models/src/testing/read-models-harness';
import { postgresCpuSeconds } from './process-cpu';

const BATCHES = Number(process.env.BENCH_BATCHES ?? 300);
const BLOCKS = Number(process.env.BENCH_BLOCKS ?? 5);
const LOCK_SPACE = current.PROJECTOR_LOCK_SPACE;
// BENCH_BEFORE's applyBatch sends the NOTIFY itself (code of this round), as B does.
const BEFORE_NOTIFIES_IN_BATCH = process.env.BENCH_BEFORE_NOTIFIES === '1';

const noop: Projection = {
  name: 'bench-noop',
  version: 1,
  eventTypes: ['KeyResultCheckedIn'],
  tables: [],
  apply: async () => undefined,
};

let major = 1;
function event(): RecordedEvent {
  return {
    id: randomUUID(),
    streamName: 'key-result-x',
    revision: major,
    position: formatPosition(major++, 0),
    type: 'KeyResultCheckedIn',
    data: {},
    metadata: {
      tenantId: 'bench',
      actorId: 'bench',
      correlationId: randomUUID(),
      causationId: null,
      schemaVersion: 1,
      source: 'bench',
    },
    recordedAt: new Date(),
  };
}

type Step = () => Promise<void>;

async function main(): Promise<void> {
  const before = process.env.BENCH_BEFORE
    ? ((await import(resolve(process.env.BENCH_BEFORE))) as typeof current)
    : null;
  const after = process.env.BENCH_AFTER
    ? ((await import(resolve(process.env.BENCH_AFTER))) as typeof current)
    : current;
  const pg = await startThrowawayPostgres('okr-bench-projector-batch-');
  const dataSource = new DataSource({
    type: 'postgres',
    url: pg.url,
    entities: READ_MODEL_ENTITIES,
    migrations: READ_MODEL_MIGRATIONS,
  });
  const pool = new Pool({ connectionString: pg.url, max: 2 });
  // The projector's lock session: holds the advisory lock and LISTENs.
  const lock = new Client({ connectionString: pg.url });
  const loadBefore = loadavg().map((l) => +l.toFixed(2));
  const token = randomUUID();
  let refreshes: Promise<unknown>[] = [];
  try {
    await dataSource.initialize();
    await dataSource.runMigrations();
    await lock.connect();
    await lock.query('SELECT pg_try_advisory_lock($1, hashtext($2))', [LOCK_SPACE, noop.name]);
    const { rows } = await lock.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
    const lockPid = rows[0]!.pid;
    const stat = readFileSync(`/proc/${lockPid}/stat`, 'utf8');
    const postmaster = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
    // What the projector's lock session did on every notification but its own (B ignores its
    // own; A had no way to tell).
    lock.on('notification', ({ payload }) => {
      if (payload === token) return;
      refreshes.push(
        current.readCheckpoints(pool).catch(() => undefined),
        readStalls(pool).catch(() => undefined),
      );
    });
    await lock.query(`LISTEN ${CHECKPOINT_CHANNEL}`);
    await current.ensureCheckpoint(pool, noop);

    const steps: [string, Step][] = [
      [
        process.env.BENCH_AFTER ? 'B (variant)' : 'B (current)',
        async () => {
          const e = event();
          await after.applyBatch(pool, noop, [e], e.position, { lockPid, notify: token });
        },
      ],
    ];
    if (before) {
      steps.unshift([
        'A (before)',
        async () => {
          const e = event();
          if (BEFORE_NOTIFIES_IN_BATCH) {
            await before.applyBatch(pool, noop, [e], e.position, { lockPid, notify: token });
          } else {
            await before.applyBatch(pool, noop, [e], e.position, { lockPid });
            await notifyListeners(pool, CHECKPOINT_CHANNEL);
          }
        },
      ]);
    }
    const xid = async (): Promise<number> => {
      const r = await lock.query<{ n: string }>(
        'SELECT pg_snapshot_xmax(pg_current_snapshot())::text AS n',
      );
      return Number(r.rows[0]?.n);
    };
    const samples = new Map<
      string,
      { ms: number[]; cpuMs: number[]; pgMs: number[]; tx: number[] }
    >();
    for (let block = -1; block < BLOCKS; block++) {
      for (const [label, step] of steps) {
        const started = performance.now();
        const cpu = process.cpuUsage();
        const pgCpu = postgresCpuSeconds(postmaster);
        const tx = await xid();
        for (let i = 0; i < BATCHES; i++) await step();
        await Promise.all(refreshes);
        refreshes = [];
        const s = samples.get(label) ?? { ms: [], cpuMs: [], pgMs: [], tx: [] };
        const used = process.cpuUsage(cpu);
        // Block -1 warms up.
        if (block < 0) continue;
        s.ms.push((performance.now() - started) / BATCHES);
        s.cpuMs.push((used.user + used.system) / 1000 / BATCHES);
        s.pgMs.push(((postgresCpuSeconds(postmaster) - pgCpu) * 1000) / BATCHES);
        s.tx.push(((await xid()) - tx) / BATCHES);
        samples.set(label, s);
      }
    }
    const mean = (xs: number[]) => +(xs.reduce((a, b) => a + b, 0) / xs.length).toFixed(3);
    console.log(
      JSON.stringify(
        {
          batchesPerBlock: BATCHES,
          blocks: BLOCKS,
          loadAverage: { before: loadBefore, after: loadavg().map((l) => +l.toFixed(2)) },
          perBatch: Object.fromEntries(
            [...samples].map(([k, s]) => [
              k,
              {
                wallMs: mean(s.ms),
                nodeCpuMs: mean(s.cpuMs),
                postgresCpuMs: mean(s.pgMs),
                writeTransactions: mean(s.tx),
              },
            ]),
          ),
          samples: Object.fromEntries(samples),
        },
        null,
        2,
      ),
    );
  } finally {
    await lock.end().catch(() => undefined);
    await pool.end().catch(() => undefined);
    await dataSource.destroy().catch(() => undefined);
    await pg.stop();
  }
}

/**
 * BENCH_PROJECTION=<name>: the same A/B with one real projection and real check-ins (6 per
 * batch, over 8 key results), appended through the commands between timed batches; per batch
 * also the projection's own apply time and the batch connection's PostgreSQL CPU.
 */
async function realProjection(name: string): Promise<void> {
  const before = process.env.BENCH_BEFORE
    ? ((await import(resolve(process.env.BENCH_BEFORE))) as typeof current)
    : null;
  const after = process.env.BENCH_AFTER
    ? ((await import(resolve(process.env.BENCH_AFTER))) as typeof current)
    : current;
  const pg = await startThrowawayPostgres('okr-bench-projector-batch-');
  process.env.TEST_DATABASE_URL = pg.url;
  const h = await createHarness('bench');
  const found = READ_MODEL_PROJECTIONS.find((p) => p.name === name);
  if (!found) throw new Error(`no projection ${name}`);
  let applyMs = 0;
  const projection: Projection = {
    ...found,
    async apply(events, client) {
      const started = performance.now();
      await found.apply(events, client);
      applyMs += performance.now() - started;
    },
  };
  const pool = new Pool({ connectionString: h.database.url, max: 1 });
  const loadBefore = loadavg().map((l) => +l.toFixed(2));
  try {
    const actor = { tenantId: 'bench', actorId: 'bench' };
    const keyResults: string[] = [];
    for (let i = 0; i < 8; i++) keyResults.push((await seedCycle(h.commands, actor)).keyResult.id);
    const backend = await pool.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
    const pid = backend.rows[0]!.pid;
    const backendCpuMs = (): number => {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      return (Number(f[11]) + Number(f[12])) * 10;
    };
    await current.ensureCheckpoint(pool, projection);
    let read = START;
    const next = async (): Promise<[RecordedEvent[], string]> => {
      const page = await h.store.readAll({
        after: read,
        limit: 10_000,
        eventTypes: [...projection.eventTypes],
      });
      read = page.checkpoint;
      return [page.events, page.checkpoint];
    };
    // The seed, once.
    const [seed, seedTo] = await next();
    await current.applyBatch(pool, projection, seed, seedTo);
    const impls: [string, typeof current][] = before
      ? [
          ['A (before)', before],
          [process.env.BENCH_AFTER ? 'B (variant)' : 'B (current)', after],
        ]
      : [['B (current)', after]];
    const samples = new Map<string, { ms: number[]; applyMs: number[]; pgMs: number[] }>();
    for (let i = -10; i < BATCHES; i++) {
      for (const [label, impl] of impls) {
        for (let k = 0; k < 6; k++) {
          await h.commands.keyResults.checkIn(actor, {
            keyResultId: keyResults[(i * 6 + k + 80) % keyResults.length]!,
            value: (i + k + 20) % 10,
          });
        }
        const [events, to] = await next();
        applyMs = 0;
        const cpu = backendCpuMs();
        const started = performance.now();
        await impl.applyBatch(pool, projection, events, to);
        const ms = performance.now() - started;
        if (i < 0) continue;
        const s = samples.get(label) ?? { ms: [], applyMs: [], pgMs: [] };
        s.ms.push(ms);
        s.applyMs.push(applyMs);
        s.pgMs.push(backendCpuMs() - cpu);
        samples.set(label, s);
      }
    }
    const mean = (xs: number[]) => +(xs.reduce((a, b) => a + b, 0) / xs.length).toFixed(2);
    console.log(
      JSON.stringify(
        {
          projection: name,
          batches: BATCHES,
          eventsPerBatch: 6,
          loadAverage: { before: loadBefore, after: loadavg().map((l) => +l.toFixed(2)) },
          perBatch: Object.fromEntries(
            [...samples].map(([k, s]) => [
              k,
              {
                wallMs: mean(s.ms),
                applyMs: mean(s.applyMs),
                backendCpuMs: mean(s.pgMs),
              },
            ]),
          ),
        },
        null,
        2,
      ),
    );
  } finally {
    await pool.end().catch(() => undefined);
    await h.close().catch(() => undefined);
    await pg.stop();
  }
}

(process.env.BENCH_PROJECTION ? realProjection(process.env.BENCH_PROJECTION) : main()).catch(
  (error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  },
);
