/**
 * The okr-tree projection's live batch in isolation: batches of check-ins (the shape the
 * projector commits under 16 connections) applied in a cycle of 100 and of 10,000 objectives
 * (2 key results each, aligned as a tree with 4 children per objective), on a throwaway
 * embedded PostgreSQL. Issue 11's goal: a check-in in the large cycle within 1.5× the small.
 *
 * Run: node -r ./scripts/register-ts.cjs bench/okr-tree-batch.bench.ts
 *   BENCH_BATCHES (60) timed batches per cycle and implementation; BENCH_BATCH_EVENTS (8);
 *   BENCH_BEFORE=<module exporting okrTreeProjection>: an earlier version of the projection,
 *   alternated with the current one batch by batch (A = before, B = current), for an A/B in
 *   one run. Prints JSON; writes nothing.
 */
import { randomUUID } from 'node:crypto';
import { loadavg } from 'node:os';
import { resolve } from 'node:path';
import type { RecordedEvent } from '@okr-ledger/event-store';
import { startThrowawayPostgres } from '@okr-ledger/platform';
import {
  okrTreeProjection,
  READ_MODEL_ENTITIES,
  READ_MODEL_MIGRATIONS,
  type Projection,
} from '@okr-ledger/read-models';
import { Client } from 'pg';
import { DataSource } from 'typeorm';

const BATCHES = Number(process.env.BENCH_BATCHES ?? 60);
const BATCH_EVENTS = Number(process.env.BENCH_BATCH_EVENTS ?? 8);
const TENANT = 'bench';
const SIZES = [100, 10_000];

let position = 0;
const revisions = new Map<string, number>();
function recorded(stream: string, type: string, data: Record<string, unknown>, cycleId: string) {
  const revision = (revisions.get(stream) ?? -1) + 1;
  revisions.set(stream, revision);
  const event: RecordedEvent = {
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
      schemaVersion: 1,
      source: 'bench',
      cycleId,
    },
    recordedAt: new Date(),
  };
  return event;
}

/** A started cycle of `size` objectives, 2 key results each, children aligned 4 per objective. */
function cycleEvents(size: number): {
  cycleId: string;
  events: RecordedEvent[];
  keyResults: string[];
} {
  const cycleId = randomUUID();
  const events = [
    recorded(
      `cycle-${cycleId}`,
      'CycleScheduled',
      {
        cycleId,
        name: `${size}`,
        startsAt: '2026-01-01T00:00:00.000Z',
        endsAt: '2026-03-31T00:00:00.000Z',
      },
      cycleId,
    ),
    recorded(`cycle-${cycleId}`, 'CycleStarted', { cycleId }, cycleId),
  ];
  const objectives: { id: string; keyResults: string[] }[] = [];
  const keyResults: string[] = [];
  for (let o = 0; o < size; o++) {
    const objectiveId = randomUUID();
    const parentOf = o === 0 ? undefined : objectives[Math.floor((o - 1) / 4)];
    const parent = parentOf
      ? o % 2 === 0
        ? { kind: 'OBJECTIVE', objectiveId: parentOf.id }
        : { kind: 'KEY_RESULT', keyResultId: parentOf.keyResults[0], objectiveId: parentOf.id }
      : null;
    const ids = [randomUUID(), randomUUID()];
    objectives.push({ id: objectiveId, keyResults: ids });
    events.push(
      recorded(
        `objective-${objectiveId}`,
        'ObjectiveSet',
        {
          objectiveId,
          cycleId,
          title: `Objective ${o}`,
          description: null,
          ownerId: null,
          teamId: null,
          parent,
        },
        cycleId,
      ),
    );
    for (const [k, keyResultId] of ids.entries()) {
      keyResults.push(keyResultId);
      events.push(
        recorded(
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
            scoring: k === 0 ? 'ALIGNED_OBJECTIVES' : 'OWN_VALUE',
          },
          cycleId,
        ),
      );
    }
  }
  // Check-ins land on the leaves' key results (the second, own-value one), as in bench:api.
  return { cycleId, events, keyResults: keyResults.filter((_, i) => i % 2 === 1) };
}

async function applyInTransaction(
  client: Client,
  projection: Projection,
  events: readonly RecordedEvent[],
): Promise<number> {
  const started = performance.now();
  await client.query('BEGIN');
  await client.query(`SELECT set_config('search_path', 'read_models, public', true)`);
  await projection.apply(events, client);
  await client.query('COMMIT');
  return performance.now() - started;
}

async function main(): Promise<void> {
  const before = process.env.BENCH_BEFORE
    ? ((await import(resolve(process.env.BENCH_BEFORE))) as { okrTreeProjection: Projection })
        .okrTreeProjection
    : null;
  const pg = await startThrowawayPostgres('okr-bench-okr-tree-');
  const dataSource = new DataSource({
    type: 'postgres',
    url: pg.url,
    entities: READ_MODEL_ENTITIES,
    migrations: READ_MODEL_MIGRATIONS,
  });
  const client = new Client({ connectionString: pg.url });
  const loadBefore = loadavg().map((l) => +l.toFixed(2));
  try {
    await dataSource.initialize();
    await dataSource.runMigrations();
    await client.connect();
    const cycles = [];
    for (const size of SIZES) {
      const { cycleId, events, keyResults } = cycleEvents(size);
      for (let i = 0; i < events.length; i += 2000) {
        await applyInTransaction(client, okrTreeProjection, events.slice(i, i + 2000));
      }
      cycles.push({ size, cycleId, keyResults });
    }
    await client.query('VACUUM ANALYZE');
    const implementations: [string, Projection][] = before
      ? [
          ['A (before)', before],
          ['B (current)', okrTreeProjection],
        ]
      : [['current', okrTreeProjection]];
    const samples = new Map<string, number[]>();
    const batch = (keyResults: readonly string[], cycleId: string): RecordedEvent[] =>
      Array.from({ length: BATCH_EVENTS }, () => {
        const keyResultId = keyResults[Math.floor(Math.random() * keyResults.length)]!;
        return recorded(
          `key-result-${keyResultId}`,
          'KeyResultCheckedIn',
          { keyResultId, checkInId: randomUUID(), value: Math.random() * 100, confidence: 0.5 },
          cycleId,
        );
      });
    // Warm-up, then A and B alternated batch by batch in each cycle.
    for (let i = -5; i < BATCHES; i++) {
      for (const { size, cycleId, keyResults } of cycles) {
        for (const [label, projection] of implementations) {
          const ms = await applyInTransaction(client, projection, batch(keyResults, cycleId));
          if (i >= 0) {
            const key = `${label} ${size}`;
            samples.set(key, [...(samples.get(key) ?? []), ms]);
          }
        }
      }
    }
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
    const summary = Object.fromEntries(
      [...samples].map(([k, xs]) => [
        k,
        {
          medianMs: +median(xs).toFixed(2),
          meanMs: +(xs.reduce((a, b) => a + b, 0) / xs.length).toFixed(2),
        },
      ]),
    );
    console.log(
      JSON.stringify(
        {
          batches: BATCHES,
          eventsPerBatch: BATCH_EVENTS,
          loadAverage: { before: loadBefore, after: loadavg().map((l) => +l.toFixed(2)) },
          summary,
        },
        null,
        2,
      ),
    );
  } finally {
    await client.end().catch(() => undefined);
    await dataSource.destroy().catch(() => undefined);
    await pg.stop();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
