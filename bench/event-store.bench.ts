/**
 * Append and catch-up throughput of the PostgreSQL event store against Emmett's PostgreSQL
 * event store and a bare INSERT, on one embedded PostgreSQL with default durability.
 * Run: npm run bench:event-store. Writes bench/results/event-store.{json,md}. Focused runs:
 * BENCH_TARGETS=<names>, BENCH_WRITERS=16, BENCH_SECONDS, BENCH_ROUNDS. Besides appends/s it
 * records CPU per append of this process (the client) and of every PostgreSQL process.
 */
import { randomUUID } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { cpus, loadavg, totalmem } from 'node:os';
import { join } from 'node:path';
import { Client, Pool } from 'pg';
import { getPostgreSQLEventStore } from '@event-driven-io/emmett-postgresql';
import { PostgresEventStore, START_POSITION } from '@okr-ledger/event-store';
import type { NotifyMode } from '@okr-ledger/event-store';
import { startThrowawayPostgres } from '@okr-ledger/platform';
import { postgresCpuSeconds, statFields } from './process-cpu';

const SECONDS_PER_RUN = Number(process.env.BENCH_SECONDS ?? 3);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
// BENCH_WRITERS=16 skips the single writer (bound by one fsync per commit) in focused runs.
const WRITER_COUNTS = process.env.BENCH_WRITERS?.split(',').map(Number) ?? [1, 16];
const POOL_SIZE = 20;

// ~300 bytes of JSON, like a key-result check-in.
const payload = {
  keyResultId: randomUUID(),
  objectiveId: randomUUID(),
  value: 42.5,
  previousValue: 40,
  confidence: 'on_track',
  note: 'Weekly check-in: pipeline reviewed with sales, two deals moved to contract stage.',
  unit: 'percent',
};
const metadata = {
  tenantId: 'tenant-bench',
  actorId: randomUUID(),
  correlationId: randomUUID(),
  causationId: null,
  schemaVersion: 1,
  source: 'bench',
  cycleId: 'q1',
};

/** One append by writer `writer` (0-based); new-stream targets ignore it. */
type Append = (writer: number) => Promise<unknown>;
interface Target {
  name: string;
  setUp(url: string): Promise<{ append: Append; tearDown(): Promise<void> }>;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

let postmasterPid: number | undefined;

interface Sample {
  rate: number;
  /** CPU of this process (the client: store, pg driver) per append. */
  clientCpuMs: number;
  /** CPU of every PostgreSQL process per append. */
  postgresCpuMs: number;
}

async function measure(append: Append, writers: number): Promise<Sample> {
  // Warm-up: connections open, plans cached.
  await Promise.all(Array.from({ length: writers }, (_, w) => append(w)));
  let count = 0;
  const deadline = performance.now() + SECONDS_PER_RUN * 1000;
  const started = performance.now();
  const clientBefore = process.cpuUsage();
  const postgresBefore = postmasterPid ? postgresCpuSeconds(postmasterPid) : NaN;
  await Promise.all(
    Array.from({ length: writers }, async (_, w) => {
      while (performance.now() < deadline) {
        await append(w);
        count++;
      }
    }),
  );
  const client = process.cpuUsage(clientBefore);
  const postgres = postmasterPid ? postgresCpuSeconds(postmasterPid) - postgresBefore : NaN;
  return {
    rate: count / ((performance.now() - started) / 1000),
    clientCpuMs: (client.user + client.system) / 1000 / count,
    postgresCpuMs: (postgres * 1000) / count,
  };
}

const ours = (notify: NotifyMode): Target => ({
  name: notify === 'after-commit' ? 'ours' : `ours-notify-${notify}`,
  async setUp(url) {
    const store = new PostgresEventStore(url, { notify, maxConnections: POOL_SIZE });
    await store.init();
    return {
      // The full path: expected-state check, idempotency check, notify.
      append: () =>
        store.append(
          `checkin-${randomUUID()}`,
          [{ type: 'CheckInRecorded', data: payload, metadata }],
          {
            expectedState: 'no_stream',
          },
        ),
      tearDown: () => store.close(),
    };
  },
});

// The same store through its PL/pgSQL append function, which every append took before the
// single-statement path for one event into a new stream: the baseline of that change.
const oursFunctionPath: Target = {
  name: 'ours-function-path',
  async setUp(url) {
    const store = new PostgresEventStore(url, { maxConnections: POOL_SIZE });
    await store.init();
    return {
      append: () =>
        store.append(
          `checkin-${randomUUID()}`,
          [{ type: 'CheckInRecorded', data: payload, metadata }],
          { expectedState: 'any' },
        ),
      tearDown: () => store.close(),
    };
  },
};

const emmett: Target = {
  name: 'emmett',
  async setUp(url) {
    const pool = new Pool({ connectionString: url, max: POOL_SIZE });
    const store = getPostgreSQLEventStore(url, { connectionOptions: { pool } });
    return {
      append: () =>
        store.appendToStream(`checkin-${randomUUID()}`, [
          { type: 'CheckInRecorded', data: payload, metadata },
        ]),
      tearDown: async () => {
        await store.close();
        await pool.end().catch(() => undefined);
      },
    };
  },
};

const rawInsert: Target = {
  name: 'rawInsert',
  async setUp(url) {
    const pool = new Pool({ connectionString: url, max: POOL_SIZE });
    // Same columns and indexes as event_store.events, none of the logic.
    await pool.query(`
      CREATE SEQUENCE IF NOT EXISTS raw_position_seq;
      CREATE TABLE IF NOT EXISTS raw_events (
        transaction_id xid8 NOT NULL, global_position bigint NOT NULL, event_id uuid NOT NULL,
        stream_name text NOT NULL, revision bigint NOT NULL, type text NOT NULL, data jsonb NOT NULL,
        metadata jsonb NOT NULL, tenant_id text NOT NULL, recorded_at timestamptz NOT NULL,
        PRIMARY KEY (transaction_id, global_position), UNIQUE (event_id), UNIQUE (stream_name, revision));
      CREATE INDEX IF NOT EXISTS raw_events_tenant_cycle_idx
        ON raw_events (tenant_id, (metadata->>'cycleId'), transaction_id, global_position);`);
    const data = JSON.stringify(payload);
    const meta = JSON.stringify(metadata);
    return {
      append: () =>
        pool.query({
          name: 'raw_insert',
          text: `INSERT INTO raw_events VALUES (pg_current_xact_id(), nextval('raw_position_seq'), $1, $2, 0,
                   'CheckInRecorded', $3, $4, 'tenant-bench', now())`,
          values: [randomUUID(), `checkin-${randomUUID()}`, data, meta],
        }),
      tearDown: () => pool.end(),
    };
  },
};

// The bare INSERT plus the per-stream revision row that expected-state checks need: shows how
// much of the gap to rawInsert that row accounts for.
const rawInsertWithStreamRow: Target = {
  name: 'rawInsertWithStreamRow',
  async setUp(url) {
    const { append, tearDown } = await rawInsert.setUp(url);
    await append(0);
    const pool = new Pool({ connectionString: url, max: POOL_SIZE });
    await pool.query(
      'CREATE TABLE IF NOT EXISTS raw_streams (stream_name text PRIMARY KEY, revision bigint NOT NULL)',
    );
    const data = JSON.stringify(payload);
    const meta = JSON.stringify(metadata);
    return {
      append: () =>
        pool.query({
          name: 'raw_insert_with_stream',
          text: `WITH s AS (INSERT INTO raw_streams VALUES ($2, 0))
                 INSERT INTO raw_events VALUES (pg_current_xact_id(), nextval('raw_position_seq'), $1, $2, 0,
                   'CheckInRecorded', $3, $4, 'tenant-bench', now())`,
          values: [randomUUID(), `checkin-${randomUUID()}`, data, meta],
        }),
      tearDown: async () => {
        await pool.end();
        await tearDown();
      },
    };
  },
};

// The check-in shape: appends to existing key-result streams with the exact expected
// revision. 200 streams, as in the API benchmark's cycle; each writer appends to its own
// 1/16 of them round robin (a check-in command serialises on its stream), so no append
// conflicts. The streams are created in setUp, outside the timed part.
const EXISTING_STREAMS = 200;
const EXISTING_SLICES = 16;

interface StreamSlot {
  readonly name: string;
  expected: number;
}

function slices(slots: StreamSlot[]): (writer: number) => StreamSlot {
  const perWriter = Array.from({ length: EXISTING_SLICES }, (_, w) =>
    slots.filter((_, i) => i % EXISTING_SLICES === w),
  );
  const turns = new Array<number>(EXISTING_SLICES).fill(0);
  return (writer) => {
    const own = perWriter[writer % EXISTING_SLICES]!;
    return own[turns[writer % EXISTING_SLICES]!++ % own.length]!;
  };
}

/**
 * `ours-existing` appends with the exact revision (the one-statement path);
 * `ours-existing-function` sends the same appends with `stream_exists`, which takes the
 * PL/pgSQL append function (the stream lock, the idempotency lookup, the state check), the
 * path the exact revision took before: old and new side by side in one run.
 */
const oursExistingTarget = (
  name: string,
  viaFunction: boolean,
  notify: NotifyMode = 'after-commit',
): Target => ({
  name,
  async setUp(url) {
    const store = new PostgresEventStore(url, { notify, maxConnections: POOL_SIZE });
    await store.init();
    const slots: StreamSlot[] = [];
    for (let i = 0; i < EXISTING_STREAMS; i++) {
      const name = `key-result-${randomUUID()}`;
      const { nextRevision } = await store.append(
        name,
        [{ type: 'KeyResultAdded', data: payload, metadata }],
        { expectedState: 'no_stream' },
      );
      slots.push({ name, expected: nextRevision });
    }
    const next = slices(slots);
    return {
      append: async (writer) => {
        const slot = next(writer);
        const { nextRevision } = await store.append(
          slot.name,
          [{ type: 'CheckInRecorded', data: payload, metadata }],
          { expectedState: viaFunction ? 'stream_exists' : slot.expected },
        );
        if (nextRevision !== slot.expected + 1)
          throw new Error(`unexpected revision on ${slot.name}`);
        slot.expected = nextRevision;
      },
      tearDown: () => store.close(),
    };
  },
});
const oursExisting = oursExistingTarget('ours-existing', false);
const oursExistingFunction = oursExistingTarget('ours-existing-function', true);
// What the coalesced NOTIFY after commit costs the check-in shape.
const oursExistingNotifyOff = oursExistingTarget('ours-existing-notify-off', false, 'off');

const emmettExisting: Target = {
  name: 'emmett-existing',
  async setUp(url) {
    const pool = new Pool({ connectionString: url, max: POOL_SIZE });
    const store = getPostgreSQLEventStore(url, { connectionOptions: { pool } });
    const slots: { name: string; expected: bigint }[] = [];
    for (let i = 0; i < EXISTING_STREAMS; i++) {
      const name = `key-result-${randomUUID()}`;
      const { nextExpectedStreamVersion } = await store.appendToStream(
        name,
        [{ type: 'KeyResultAdded', data: payload, metadata }],
        { expectedStreamVersion: 'STREAM_DOES_NOT_EXIST' },
      );
      slots.push({ name, expected: nextExpectedStreamVersion });
    }
    const perWriter = Array.from({ length: EXISTING_SLICES }, (_, w) =>
      slots.filter((_, i) => i % EXISTING_SLICES === w),
    );
    const turns = new Array<number>(EXISTING_SLICES).fill(0);
    return {
      append: async (writer) => {
        const own = perWriter[writer % EXISTING_SLICES]!;
        const slot = own[turns[writer % EXISTING_SLICES]!++ % own.length]!;
        const { nextExpectedStreamVersion } = await store.appendToStream(
          slot.name,
          [{ type: 'CheckInRecorded', data: payload, metadata }],
          { expectedStreamVersion: slot.expected },
        );
        slot.expected = nextExpectedStreamVersion;
      },
      tearDown: async () => {
        await store.close();
        await pool.end().catch(() => undefined);
      },
    };
  },
};

// The same rows (next revision of an existing stream) by one bare INSERT: no check at all,
// only the UNIQUE (stream_name, revision) index.
const rawInsertExisting: Target = {
  name: 'rawInsert-existing',
  async setUp(url) {
    const { tearDown } = await rawInsert.setUp(url);
    const pool = new Pool({ connectionString: url, max: POOL_SIZE });
    const slots: StreamSlot[] = Array.from({ length: EXISTING_STREAMS }, () => ({
      name: `key-result-${randomUUID()}`,
      expected: 0,
    }));
    const data = JSON.stringify(payload);
    const meta = JSON.stringify(metadata);
    for (const slot of slots) {
      await pool.query(
        `INSERT INTO raw_events VALUES (pg_current_xact_id(), nextval('raw_position_seq'), $1, $2, 0,
           'KeyResultAdded', $3, $4, 'tenant-bench', now())`,
        [randomUUID(), slot.name, data, meta],
      );
    }
    const next = slices(slots);
    return {
      append: async (writer) => {
        const slot = next(writer);
        await pool.query({
          name: 'raw_insert_existing',
          text: `INSERT INTO raw_events VALUES (pg_current_xact_id(), nextval('raw_position_seq'), $1, $2, $5,
                   'CheckInRecorded', $3, $4, 'tenant-bench', now())`,
          values: [randomUUID(), slot.name, data, meta, slot.expected + 1],
        });
        slot.expected++;
      },
      tearDown: async () => {
        await pool.end();
        await tearDown();
      },
    };
  },
};

// The bare INSERT plus an optimistic check on a per-stream revision row, in one statement:
// what the expected-revision check costs in plain SQL.
const rawInsertExistingChecked: Target = {
  name: 'rawInsert-existing-checked',
  async setUp(url) {
    const { tearDown } = await rawInsert.setUp(url);
    const pool = new Pool({ connectionString: url, max: POOL_SIZE });
    await pool.query(
      'CREATE TABLE IF NOT EXISTS raw_streams (stream_name text PRIMARY KEY, revision bigint NOT NULL)',
    );
    const slots: StreamSlot[] = Array.from({ length: EXISTING_STREAMS }, () => ({
      name: `key-result-${randomUUID()}`,
      expected: 0,
    }));
    const data = JSON.stringify(payload);
    const meta = JSON.stringify(metadata);
    for (const slot of slots) {
      await pool.query(
        `WITH s AS (INSERT INTO raw_streams VALUES ($2, 0))
         INSERT INTO raw_events VALUES (pg_current_xact_id(), nextval('raw_position_seq'), $1, $2, 0,
           'KeyResultAdded', $3, $4, 'tenant-bench', now())`,
        [randomUUID(), slot.name, data, meta],
      );
    }
    const next = slices(slots);
    return {
      append: async (writer) => {
        const slot = next(writer);
        const { rowCount } = await pool.query({
          name: 'raw_insert_existing_checked',
          text: `WITH s AS (UPDATE raw_streams SET revision = $5 WHERE stream_name = $2 AND revision = $5 - 1
                   RETURNING stream_name)
                 INSERT INTO raw_events SELECT pg_current_xact_id(), nextval('raw_position_seq'), $1, s.stream_name,
                   $5, 'CheckInRecorded', $3::jsonb, $4::jsonb, 'tenant-bench', now() FROM s`,
          values: [randomUUID(), slot.name, data, meta, slot.expected + 1],
        });
        if (rowCount !== 1) throw new Error(`revision check failed on ${slot.name}`);
        slot.expected++;
      },
      tearDown: async () => {
        await pool.end();
        await tearDown();
      },
    };
  },
};

async function catchUpReads(url: string): Promise<{ eventsPerSecond: number; events: number }> {
  const store = new PostgresEventStore(url);
  try {
    const started = performance.now();
    let checkpoint = START_POSITION;
    let events = 0;
    for (;;) {
      const page = await store.readAll({ after: checkpoint, limit: 1000 });
      events += page.events.length;
      checkpoint = page.checkpoint;
      if (page.isEnd) break;
    }
    return { eventsPerSecond: events / ((performance.now() - started) / 1000), events };
  } finally {
    await store.close();
  }
}

async function main(): Promise<void> {
  // Default durability (fsync, synchronous_commit on): the point is durable commits.
  const server = await startThrowawayPostgres('okr-ledger-bench-pg-');
  const serverUrl = server.url;
  {
    // The server's processes, for CPU per append: the postmaster is a backend's parent.
    const probe = new Client({ connectionString: serverUrl });
    await probe.connect();
    const { rows } = await probe.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
    // Read while the backend still runs.
    const parent = statFields(String(rows[0]?.pid))?.[1];
    await probe.end();
    postmasterPid = parent ? Number(parent) : undefined;
  }
  const loadBefore = loadavg().map((l) => l.toFixed(2));
  try {
    const only = process.env.BENCH_TARGETS?.split(',');
    const targets = [
      ours('after-commit'),
      oursFunctionPath,
      ours('in-transaction'),
      ours('off'),
      emmett,
      rawInsert,
      rawInsertWithStreamRow,
      oursExisting,
      oursExistingFunction,
      oursExistingNotifyOff,
      emmettExisting,
      rawInsertExisting,
      rawInsertExistingChecked,
    ].filter((t) => !only || only.includes(t.name));
    const urls = new Map<string, string>();
    const admin = new Client({ connectionString: serverUrl });
    await admin.connect();
    for (const target of targets) {
      const name = `bench_${target.name.replace(/-/g, '_').toLowerCase()}`;
      await admin.query(`CREATE DATABASE ${name}`);
      urls.set(target.name, serverUrl.replace(/\/postgres$/, `/${name}`));
    }
    await admin.end();

    const samples = new Map<string, Sample[]>();
    // Interleaved rounds, so drift and other load on the machine hit every target alike.
    for (let round = 0; round < ROUNDS; round++) {
      for (const writers of WRITER_COUNTS) {
        for (const target of targets) {
          const { append, tearDown } = await target.setUp(urls.get(target.name)!);
          try {
            const sample = await measure(append, writers);
            const key = `${target.name}/${writers}`;
            samples.set(key, [...(samples.get(key) ?? []), sample]);
            console.log(
              `round ${round + 1} ${key}: ${Math.round(sample.rate)} appends/s, CPU per append ` +
                `client ${sample.clientCpuMs.toFixed(3)} ms, PostgreSQL ${sample.postgresCpuMs.toFixed(3)} ms`,
            );
          } finally {
            await tearDown();
          }
        }
      }
    }
    const reads: number[] = [];
    let readEvents = 0;
    // Catch-up reads page through what the `ours` target appended (when it ran).
    const oursUrl = urls.get('ours');
    for (let round = 0; oursUrl && round < ROUNDS; round++) {
      const { eventsPerSecond, events } = await catchUpReads(oursUrl);
      reads.push(eventsPerSecond);
      readEvents = events;
      console.log(
        `round ${round + 1} catch-up: ${Math.round(eventsPerSecond)} events/s over ${events}`,
      );
    }

    const of = (name: string, writers: number, field: keyof Sample): number => {
      const values = (samples.get(`${name}/${writers}`) ?? []).map((x) => x[field]);
      return values.length > 0 ? median(values) : 0;
    };
    const rate = (name: string, writers: number): number => Math.round(of(name, writers, 'rate'));
    const cpuMs = (name: string, writers: number) => ({
      client: +of(name, writers, 'clientCpuMs').toFixed(3),
      postgres: +of(name, writers, 'postgresCpuMs').toFixed(3),
    });
    const appendsPerSecond = Object.fromEntries(
      targets.map((t) => [t.name, { writers1: rate(t.name, 1), writers16: rate(t.name, 16) }]),
    );
    const cpuMsPerAppendAt16 = Object.fromEntries(targets.map((t) => [t.name, cpuMs(t.name, 16)]));
    const result = {
      appendsPerSecond,
      cpuMsPerAppendAt16,
      catchUpReadsPerSecond: { ours: Math.round(median(reads)) },
      ratios: {
        oursVsEmmettAt16: +(rate('ours', 16) / rate('emmett', 16)).toFixed(2),
        oursVsRawInsertAt16: +(rate('ours', 16) / rate('rawInsert', 16)).toFixed(2),
        oursVsEmmettAt1: +(rate('ours', 1) / rate('emmett', 1)).toFixed(2),
        oursVsRawInsertAt1: +(rate('ours', 1) / rate('rawInsert', 1)).toFixed(2),
        existingStream: {
          oursVsEmmettAt16: +(rate('ours-existing', 16) / rate('emmett-existing', 16)).toFixed(2),
          oursVsRawInsertAt16: +(
            rate('ours-existing', 16) / rate('rawInsert-existing', 16)
          ).toFixed(2),
          oursVsEmmettAt1: +(rate('ours-existing', 1) / rate('emmett-existing', 1)).toFixed(2),
          oursVsRawInsertAt1: +(rate('ours-existing', 1) / rate('rawInsert-existing', 1)).toFixed(
            2,
          ),
          functionPathVsEmmettAt16: +(
            rate('ours-existing-function', 16) / rate('emmett-existing', 16)
          ).toFixed(2),
          functionPathVsRawInsertAt16: +(
            rate('ours-existing-function', 16) / rate('rawInsert-existing', 16)
          ).toFixed(2),
        },
      },
      method: {
        secondsPerRun: SECONDS_PER_RUN,
        rounds: ROUNDS,
        statistic: 'median of interleaved rounds',
        poolSize: POOL_SIZE,
        payloadBytes: JSON.stringify(payload).length,
        catchUpEvents: readEvents,
        catchUpPageSize: 1000,
        durability: 'fsync=on, synchronous_commit=on (PostgreSQL defaults), embedded PostgreSQL 18',
        notes:
          'One event per append to a new stream. ours = expectedState no_stream (one statement claims ' +
          'the stream and inserts the event; an existing stream falls back to the append function with ' +
          'its idempotency check), post-commit coalesced NOTIFY; ours-function-path = the same append ' +
          'through the PL/pgSQL append function (expectedState any), the previous path; ours-notify-in-transaction = NOTIFY inside the append transaction; ' +
          'ours-notify-off = no NOTIFY. emmett = appendToStream without an expected version. ' +
          'rawInsert = one INSERT into a table with the same columns and indexes; ' +
          'rawInsertWithStreamRow = the same plus inserting the per-stream revision row. ' +
          'The check-in shape (*-existing): one event appended to one of 200 existing streams with ' +
          'its exact expected revision, each writer on its own 1/16 of the streams (no conflicts): ' +
          'ours-existing = append with expectedState <revision> (one statement: the head row moved ' +
          'only if still at that revision, the event inserted behind it); ours-existing-function = ' +
          'the same appends with expectedState stream_exists, through the PL/pgSQL append function ' +
          '(stream lock, idempotency lookup, state check), the path exact revisions took before; ' +
          'ours-existing-notify-off = ours-existing without the NOTIFY after commit; ' +
          'emmett-existing = appendToStream with expectedStreamVersion; rawInsert-existing = one ' +
          'INSERT of the same row with the next revision, no check; rawInsert-existing-checked = ' +
          'the same INSERT behind an optimistic UPDATE of a per-stream revision row, one statement.',
      },
      machine: {
        cpus: cpus().length,
        cpuModel: cpus()[0]?.model ?? 'unknown',
        memoryGiB: +(totalmem() / 2 ** 30).toFixed(1),
        node: process.version,
        platform: `${process.platform} ${process.arch}`,
        sharedWithOtherWork: true,
      },
      measuredAt: new Date().toISOString(),
    };
    const resultsDir = join(__dirname, 'results');
    await mkdir(resultsDir, { recursive: true });
    await writeFile(join(resultsDir, 'event-store.json'), `${JSON.stringify(result, null, 2)}\n`);
    const row = (t: Target) => {
      const cpu = cpuMs(t.name, 16);
      return `| ${t.name} | ${rate(t.name, 1)} | ${rate(t.name, 16)} | ${cpu.client} / ${cpu.postgres} |`;
    };
    const rows = targets.filter((t) => !t.name.includes('-existing')).map(row);
    const existingRows = targets.filter((t) => t.name.includes('-existing')).map(row);
    await writeFile(
      join(resultsDir, 'event-store.md'),
      [
        '# Event store benchmark',
        '',
        `Measured ${result.measuredAt} on ${result.machine.cpus} × ${result.machine.cpuModel}, ` +
          `${result.method.durability}. Median of ${ROUNDS} interleaved runs of ${SECONDS_PER_RUN} s.`,
        '',
        '| appends/s (1 event, new stream) | 1 writer | 16 writers | CPU ms per append at 16: client / PostgreSQL |',
        '| --- | ---: | ---: | ---: |',
        ...rows,
        '',
        `Ours at 16 writers: ${result.ratios.oursVsEmmettAt16}× Emmett, ` +
          `${result.ratios.oursVsRawInsertAt16}× the bare INSERT.`,
        '',
        '| appends/s (1 event, existing stream, exact expected revision: the check-in shape) | 1 writer | 16 writers | CPU ms per append at 16: client / PostgreSQL |',
        '| --- | ---: | ---: | ---: |',
        ...existingRows,
        '',
        `Ours at 16 writers, existing streams: ${result.ratios.existingStream.oursVsEmmettAt16}× Emmett ` +
          `(goal ≥ 2×: ${result.ratios.existingStream.oursVsEmmettAt16 >= 2 ? 'met' : 'missed'}), ` +
          `${result.ratios.existingStream.oursVsRawInsertAt16}× the bare INSERT ` +
          `(goal ≥ 0.7×: ${result.ratios.existingStream.oursVsRawInsertAt16 >= 0.7 ? 'met' : 'missed'}); ` +
          `through the append function (ours-existing-function): ` +
          `${result.ratios.existingStream.functionPathVsEmmettAt16}× Emmett, ` +
          `${result.ratios.existingStream.functionPathVsRawInsertAt16}× the bare INSERT.`,
        '',
        `Load average (1/5/15 min) ${loadBefore.join(' / ')} before, ${loadavg()
          .map((l) => l.toFixed(2))
          .join(' / ')} after; ` +
          'other engineers were running tests on this shared machine during the run.',
        '',
        oursUrl
          ? `Catch-up reads (ours, readAll pages of 1000): ${result.catchUpReadsPerSecond.ours} events/s ` +
            `over ${readEvents} events.`
          : 'Catch-up reads not measured (the `ours` target did not run).',
        '',
        result.method.notes,
        '',
      ].join('\n'),
    );
    console.log(JSON.stringify(result, null, 2));
  } finally {
    await server.stop();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
