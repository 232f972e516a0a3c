/**
 * The projections' own work on a write, in isolation: the batches the projector commits under
 * 16 connections (check-ins on the 20 × 10 page cycle, or objectives with a key result each
 * created in a 100-objective cycle) applied by each projection that handles them, each in its
 * own transaction as the projector commits them, on a throwaway embedded PostgreSQL. Per
 * projection it records the PostgreSQL backend's CPU (its /proc schedstat), this process's CPU,
 * the wall time and the statements sent, per batch.
 *
 * Run: node -r ./scripts/register-ts.cjs bench/projection-batches.bench.ts
 *   BENCH_BATCHES (150) timed batches per shape and implementation; BENCH_BATCH_EVENTS (7);
 *   BENCH_BEFORE=<a checkout>: that checkout's projections (its libs/read-models) as A,
 *   alternated with this one's (B) batch by batch on the same tables, each on a connection of
 *   its own, for an A/B in one run; BENCH_NAME names bench/results/projection-batches-<name>.*
 *   (written only when given).
 */
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import type { RecordedEvent } from '@okr-ledger/event-store';
import { startThrowawayPostgres } from '@okr-ledger/platform';
import {
  READ_MODEL_ENTITIES,
  READ_MODEL_MIGRATIONS,
  READ_MODEL_PROJECTIONS,
  type Projection,
} from '@okr-ledger/read-models';
import { Client } from 'pg';
import { DataSource } from 'typeorm';

const BATCHES = Number(process.env.BENCH_BATCHES ?? 150);
const BATCH_EVENTS = Number(process.env.BENCH_BATCH_EVENTS ?? 7);
const TENANT = 'bench';

let position = 0;
const revisions = new Map<string, number>();
function recorded(
  stream: string,
  type: string,
  data: Record<string, unknown>,
  cycleId?: string,
): RecordedEvent {
  const revision = (revisions.get(stream) ?? -1) + 1;
  revisions.set(stream, revision);
  return {
    id: randomUUID(),
    streamName: stream,
    revision,
    position: String(++position).padStart(20, '0'),
    type,
    data,
    metadata: {
      tenantId: TENANT,
      actorId: 'bench',
      correlationId: randomUUID(),
      causationId: null,
      schemaVersion: 2,
      source: 'bench',
      ...(cycleId ? { cycleId } : {}),
    },
    recordedAt: new Date(),
  };
}

function objectiveEvents(cycleId: string, objectiveId: string, o: number, parentId?: string) {
  return recorded(
    `objective-${objectiveId}`,
    'ObjectiveSet',
    {
      objectiveId,
      cycleId,
      title: `Objective ${o}`,
      description: null,
      ownerId: `user-${o % 20}`,
      teamId: null,
      parent: parentId ? { kind: 'OBJECTIVE', objectiveId: parentId } : null,
      visibility: 'PUBLIC',
    },
    cycleId,
  );
}

function keyResultAdded(cycleId: string, objectiveId: string, keyResultId: string, k: number) {
  return recorded(
    `key-result-${keyResultId}`,
    'KeyResultAdded',
    {
      keyResultId,
      objectiveId,
      cycleId,
      title: `KR ${k}`,
      ownerId: null,
      type: 'INCREASE',
      kind: 'OUTCOME',
      startValue: 0,
      targetValue: 100,
      unit: '%',
      weight: 1,
      dataSourceUrl: null,
      scoring: 'OWN_VALUE',
    },
    cycleId,
  );
}

/** A started cycle, objectives flat or aligned 4 children each, `krs` key results apiece. */
function cycleEvents(objectives: number, krs: number, tree: boolean) {
  const cycleId = randomUUID();
  const events = [
    recorded(
      `cycle-${cycleId}`,
      'CycleScheduled',
      {
        cycleId,
        name: `${objectives}`,
        startsAt: new Date(Date.now() - 10 * 86_400_000).toISOString(),
        endsAt: new Date(Date.now() + 80 * 86_400_000).toISOString(),
      },
      cycleId,
    ),
    recorded(`cycle-${cycleId}`, 'CycleStarted', { cycleId }, cycleId),
  ];
  const ids: string[] = [];
  const keyResults: string[] = [];
  for (let o = 0; o < objectives; o++) {
    const objectiveId = randomUUID();
    const parentId = tree && o > 0 ? ids[Math.floor((o - 1) / 4)] : undefined;
    ids.push(objectiveId);
    events.push(objectiveEvents(cycleId, objectiveId, o, parentId));
    for (let k = 0; k < krs; k++) {
      const keyResultId = randomUUID();
      keyResults.push(keyResultId);
      events.push(keyResultAdded(cycleId, objectiveId, keyResultId, k));
    }
  }
  return { cycleId, events, objectives: ids, keyResults };
}

const values = new Map<string, number>();
function checkIn(cycleId: string, keyResultId: string): RecordedEvent {
  const value = Math.round(Math.random() * 100);
  const previousValue = values.get(keyResultId) ?? 0;
  values.set(keyResultId, value);
  return recorded(
    `key-result-${keyResultId}`,
    'KeyResultCheckedIn',
    {
      keyResultId,
      checkInId: randomUUID(),
      value,
      previousValue,
      confidence: 0.7,
      plan: null,
      progress: null,
      problems: null,
      source: 'MANUAL',
      idempotencyKey: null,
      measuredAt: new Date().toISOString(),
      dataSourceId: null,
      externalId: null,
      correctsCheckInId: null,
    },
    cycleId,
  );
}

/** CPU ms a process has run so far: schedstat's nanoseconds, not /proc/stat's 10 ms ticks. */
function cpuMs(pid: number): number {
  return Number(readFileSync(`/proc/${pid}/schedstat`, 'utf8').split(' ')[0]) / 1e6;
}

interface Side {
  label: string;
  projections: readonly Projection[];
  client: Client;
  backendPid: number;
  statements: number;
}

interface Totals {
  batches: number;
  backendCpuMs: number;
  nodeCpuMs: number;
  wallMs: number;
  statements: number;
}

/** Applies a batch as the projector does: one transaction per projection that takes it. */
async function applyBatch(
  side: Side,
  events: readonly RecordedEvent[],
  totals: Map<string, Totals> | null,
): Promise<void> {
  for (const projection of side.projections) {
    const mine = events.filter((e) => projection.eventTypes.includes(e.type));
    if (mine.length === 0) continue;
    const statementsBefore = side.statements;
    const backendBefore = cpuMs(side.backendPid);
    const nodeBefore = process.cpuUsage();
    const started = performance.now();
    await side.client.query('BEGIN');
    await side.client.query(`SELECT set_config('search_path', 'read_models, public', true)`);
    await projection.apply(mine, side.client);
    await side.client.query('COMMIT');
    const wall = performance.now() - started;
    const node = process.cpuUsage(nodeBefore);
    if (!totals) continue;
    const t = totals.get(projection.name) ?? {
      batches: 0,
      backendCpuMs: 0,
      nodeCpuMs: 0,
      wallMs: 0,
      statements: 0,
    };
    t.batches++;
    t.backendCpuMs += cpuMs(side.backendPid) - backendBefore;
    t.nodeCpuMs += (node.user + node.system) / 1000;
    t.wallMs += wall;
    // BEGIN, set_config and COMMIT are the projector's, not the projection's.
    t.statements += side.statements - statementsBefore - 3;
    totals.set(projection.name, t);
  }
}

async function connect(url: string, label: string, projections: readonly Projection[]) {
  const client = new Client({ connectionString: url });
  await client.connect();
  const { rows } = await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
  const side: Side = { label, projections, client, backendPid: rows[0]!.pid, statements: 0 };
  const query = client.query.bind(client) as (...args: unknown[]) => unknown;
  (client as unknown as { query: (...args: unknown[]) => unknown }).query = (...args) => {
    side.statements++;
    return query(...args);
  };
  return side;
}

async function main(): Promise<void> {
  const beforeDir = process.env.BENCH_BEFORE;
  const before = beforeDir
    ? (
        (await import(resolve(beforeDir, 'libs/read-models/src/index.ts'))) as {
          READ_MODEL_PROJECTIONS: readonly Projection[];
        }
      ).READ_MODEL_PROJECTIONS
    : null;
  const pg = await startThrowawayPostgres('okr-bench-projection-batches-');
  const dataSource = new DataSource({
    type: 'postgres',
    url: pg.url,
    entities: READ_MODEL_ENTITIES,
    migrations: READ_MODEL_MIGRATIONS,
  });
  const loadBefore = loadavg().map((l) => +l.toFixed(2));
  const sides: Side[] = [];
  try {
    await dataSource.initialize();
    await dataSource.runMigrations();
    const seeder = await connect(pg.url, 'seed', READ_MODEL_PROJECTIONS);
    // The bench:api shapes: the page cycle (check-ins), a tree of 100 and one of 1,000 (the
    // tenant's size), and the creation target.
    const page = cycleEvents(20, 10, false);
    const creation = cycleEvents(100, 1, true);
    const seed = [
      ...page.events,
      ...creation.events,
      ...cycleEvents(100, 2, true).events,
      ...cycleEvents(1000, 2, true).events,
    ];
    for (let i = 0; i < seed.length; i += 500)
      await applyBatch(seeder, seed.slice(i, i + 500), null);
    await seeder.client.query('VACUUM ANALYZE');
    await seeder.client.end();
    if (before) sides.push(await connect(pg.url, 'A (before)', before));
    sides.push(await connect(pg.url, before ? 'B (current)' : 'current', READ_MODEL_PROJECTIONS));

    const shapes: Record<string, () => RecordedEvent[]> = {
      checkIn: () =>
        Array.from({ length: BATCH_EVENTS }, () =>
          checkIn(
            page.cycleId,
            page.keyResults[Math.floor(Math.random() * page.keyResults.length)]!,
          ),
        ),
      // setObjective / addKeyResult alternating, as bench:api's creation scenario.
      create: () => {
        const events: RecordedEvent[] = [];
        while (events.length < BATCH_EVENTS) {
          const objectiveId = randomUUID();
          const parent = creation.objectives[Math.floor(Math.random() * 20)];
          events.push(objectiveEvents(creation.cycleId, objectiveId, events.length, parent));
          events.push(keyResultAdded(creation.cycleId, objectiveId, randomUUID(), 0));
        }
        return events.slice(0, BATCH_EVENTS);
      },
    };
    const totals = new Map<string, Map<string, Totals>>();
    // Warm-up (plans, caches), then the sides alternated batch by batch.
    for (let i = -10; i < BATCHES; i++) {
      for (const [shape, make] of Object.entries(shapes)) {
        for (const side of i % 2 === 0 ? sides : [...sides].reverse()) {
          const key = `${shape}, ${side.label}`;
          if (!totals.has(key)) totals.set(key, new Map());
          await applyBatch(side, make(), i >= 0 ? totals.get(key)! : null);
        }
      }
    }
    const summary = Object.fromEntries(
      [...totals].map(([key, byProjection]) => {
        const rows = Object.fromEntries(
          [...byProjection].map(([name, t]) => [
            name,
            {
              backendCpuMsPerBatch: +(t.backendCpuMs / t.batches).toFixed(3),
              nodeCpuMsPerBatch: +(t.nodeCpuMs / t.batches).toFixed(3),
              wallMsPerBatch: +(t.wallMs / t.batches).toFixed(3),
              statementsPerBatch: +(t.statements / t.batches).toFixed(2),
            },
          ]),
        );
        const sum = (f: keyof Totals) =>
          [...byProjection.values()].reduce((s, t) => s + t[f] / t.batches, 0);
        return [
          key,
          {
            ...rows,
            all: {
              backendCpuMsPerBatch: +sum('backendCpuMs').toFixed(3),
              nodeCpuMsPerBatch: +sum('nodeCpuMs').toFixed(3),
              wallMsPerBatch: +sum('wallMs').toFixed(3),
              statementsPerBatch: +sum('statements').toFixed(2),
            },
          },
        ];
      }),
    );
    const result = {
      measuredAt: new Date().toISOString(),
      batches: BATCHES,
      eventsPerBatch: BATCH_EVENTS,
      loadAverage: { before: loadBefore, after: loadavg().map((l) => +l.toFixed(2)) },
      summary,
    };
    console.log(JSON.stringify(result, null, 2));
    const name = process.env.BENCH_NAME;
    if (!name) return;
    const dir = join(__dirname, 'results');
    await mkdir(dir, { recursive: true });
    await writeFile(
      join(dir, `projection-batches-${name}.json`),
      `${JSON.stringify(result, null, 2)}\n`,
    );
    await writeFile(
      join(dir, `projection-batches-${name}.md`),
      [
        `# Projection batches: ${name}`,
        '',
        `Measured ${result.measuredAt}: ${BATCHES} batches of ${BATCH_EVENTS} events per shape and side${before ? ', A (before) and B (current) alternated batch by batch on the same tables, each on its own connection' : ''}; per batch and projection, each in its own transaction (BEGIN, search_path, apply, COMMIT; the statements counted are the projection's). Load average ${result.loadAverage.before.join(' / ')} before, ${result.loadAverage.after.join(' / ')} after.`,
        '',
        '| shape, side | projection | PostgreSQL backend CPU ms | Node CPU ms | wall ms | statements |',
        '| --- | --- | ---: | ---: | ---: | ---: |',
        ...Object.entries(summary).flatMap(([key, rows]) =>
          Object.entries(rows).map(
            ([projection, r]) =>
              `| ${key} | ${projection} | ${r.backendCpuMsPerBatch} | ${r.nodeCpuMsPerBatch} | ${r.wallMsPerBatch} | ${r.statementsPerBatch} |`,
          ),
        ),
        '',
      ].join('\n'),
    );
  } finally {
    for (const side of sides) await side.client.end().catch(() => undefined);
    await dataSource.destroy().catch(() => undefined);
    await pg.stop();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
