/**
 * The API as a frontend uses it: one server started the way `npm start` starts it (the built
 * entry point) on a throwaway embedded PostgreSQL, loaded by autocannon at 16 connections,
 * every scenario in one run so that each figure compares with the `{ __typename }` floor of
 * the same server.
 *
 * Run: npm run bench:api. Writes bench/results/api.{json,md}.
 *   BENCH_SECONDS (10) per scenario; BENCH_LARGE_OBJECTIVES (10000) objectives of the large
 *   cycle; BENCH_ONLY=checkIn,page,… runs the floor and those only and writes no results
 *   (with BENCH_CPU_PROF, those only, so that the profile holds their requests alone);
 *   BENCH_CPU_PROF=<dir> runs the server under `node --cpu-prof` (profile written on exit);
 *   BENCH_AB="NODE_ENV=production" compares a second server with that setting (see abMain);
 *   BENCH_AB_BASELINE=<another checkout, same schema> runs A from that checkout's build, so
 *   that B (this checkout) is a code change; BENCH_AB_LARGE objectives in one more cycle.
 *   BENCH_PG_STATEMENTS=1 starts the cluster with pg_stat_statements, resets it before each
 *   measured run and writes the top statements by total time per scenario to
 *   bench/results/api-statements.md (an A/B: api-ab-<name>-statements.md, A and B apart).
 */
import { execFileSync, spawn } from 'node:child_process';
import { generateKeyPairSync, randomUUID } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { cpus, loadavg, totalmem } from 'node:os';
import { join, resolve } from 'node:path';
import autocannon from 'autocannon';
import { Client } from 'pg';
import { createPostgresEventStore, type NewEvent } from '@okr-ledger/event-store';
import { DEVELOPMENT_JWT_SECRET, freePort, startThrowawayPostgres } from '@okr-ledger/platform';
import { signDevelopmentToken } from '../apps/api/src/auth/development-token';
import { cpuTicks, postgresCpuSeconds, processCpuSeconds, statFields } from './process-cpu';

const ROOT = resolve(__dirname, '..');
const ENTRY = 'dist/apps/api/apps/api/src/main.js';
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const CONNECTIONS = 16;
const LARGE = Number(process.env.BENCH_LARGE_OBJECTIVES ?? 10_000);
const ONLY = process.env.BENCH_ONLY?.split(',');
const CPU_PROF = process.env.BENCH_CPU_PROF;
const TENANT = 'bench';
const DAY = 86_400_000;
const STATEMENTS = process.env.BENCH_PG_STATEMENTS === '1';
const TOP_STATEMENTS = 15;

// ---------------------------------------------------------------------------------------
// Machine load: other work on this shared machine moves every figure.

let postmasterPid: number | undefined;

/**
 * The same CPU seconds by kind of process: client backends, each background process by its
 * title (walwriter, checkpointer, io worker, autovacuum worker, …), and the postmaster with
 * the children that exited (backends and autovacuum workers that ended meanwhile).
 */
function postgresCpuByProcess(postmaster: number): Map<string, number> {
  const byKind = new Map<string, number>();
  const add = (kind: string, ticks: number) =>
    byKind.set(kind, (byKind.get(kind) ?? 0) + ticks / 100);
  for (const pid of readdirSync('/proc')) {
    if (!/^\d+$/.test(pid)) continue;
    const f = statFields(pid);
    if (!f) continue;
    if (Number(pid) === postmaster) {
      add(
        'postmaster and exited children',
        Number(f[11]) + Number(f[12]) + Number(f[13]) + Number(f[14]),
      );
    } else if (Number(f[1]) === postmaster) {
      let title: string;
      try {
        title = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ').trim();
      } catch {
        continue;
      }
      // "postgres: <user> <database> <host>(<port>) <state>" is a client backend.
      const kind = /^postgres: \S+ \S+ [\d.:]+\(\d+\)/.test(title)
        ? 'client backends'
        : title
            .replace(/^postgres: /, '')
            .replace(/\s+\d+$/, '')
            .replace(/ for PID \d+.*/, '');
      add(kind, Number(f[11]) + Number(f[12]));
      // System time on its own: commits' WAL writes and flushes, sockets.
      add(`${kind}, of which system`, Number(f[12]));
    }
  }
  return byKind;
}

// ---------------------------------------------------------------------------------------
// Per statement (BENCH_PG_STATEMENTS=1): what PostgreSQL's time went to during a run.

/** The cluster's settings for it: loaded at start, planning time counted as well. */
const statementSettings = (): { settings?: Record<string, string> } =>
  STATEMENTS
    ? {
        settings: {
          shared_preload_libraries: 'pg_stat_statements',
          'pg_stat_statements.track_planning': 'on',
          'pg_stat_statements.max': '10000',
        },
      }
    : {};

interface StatementFigure {
  query: string;
  calls: number;
  /** Execution plus planning, summed over the calls (wall time in the backend, not CPU). */
  totalMs: number;
  planMs: number;
  rows: number;
  sharedBlocksHit: number;
  sharedBlocksRead: number;
}

interface StatementSample {
  requests: number;
  /** PostgreSQL's CPU ms during the run, by kind of process. */
  cpuMsByProcess: Record<string, number>;
  statements: StatementFigure[];
  /** Row changes and scans per table of the run (pg_stat_user_tables, by schema.table). */
  tables: Record<string, TableCounts>;
  /** Over every statement, not only the top ones. */
  allTotalMs: number;
  allCalls: number;
}

let cpuAtReset = new Map<string, number>();
let tablesAtReset: Record<string, TableCounts> = {};

const TABLE_COUNTS = [
  'n_tup_ins',
  'n_tup_upd',
  'n_tup_hot_upd',
  'n_tup_del',
  'seq_scan',
  'seq_tup_read',
  'idx_scan',
] as const;
type TableCounts = Record<(typeof TABLE_COUNTS)[number], number>;

async function tableCounts(client: Client): Promise<Record<string, TableCounts>> {
  // Backends report their counts when a transaction ends, at most once a second.
  await client.query('SELECT pg_stat_clear_snapshot()');
  const { rows } = await client.query<Record<string, string>>(
    `SELECT schemaname || '.' || relname AS name, ${TABLE_COUNTS.map((c) => `coalesce(${c}, 0)::text AS ${c}`).join(', ')}
       FROM pg_stat_user_tables`,
  );
  return Object.fromEntries(
    rows.map((r) => [
      r.name!,
      Object.fromEntries(TABLE_COUNTS.map((c) => [c, Number(r[c])])) as TableCounts,
    ]),
  );
}

async function resetStatements(client: Client): Promise<void> {
  // The warm-up's counts reported first (see tableCounts), so that they stay out of the run's.
  await new Promise((r) => setTimeout(r, 1100));
  await client.query('SELECT pg_stat_statements_reset()');
  tablesAtReset = await tableCounts(client);
  cpuAtReset = postmasterPid ? postgresCpuByProcess(postmasterPid) : new Map();
}

/** Every statement since the reset (the stats connection's own left out), by query text. */
async function readStatements(client: Client, requests: number): Promise<StatementSample> {
  const cpuNow = postmasterPid ? postgresCpuByProcess(postmasterPid) : new Map<string, number>();
  await new Promise((r) => setTimeout(r, 1100));
  const tablesNow = await tableCounts(client);
  const tables: Record<string, TableCounts> = {};
  for (const [name, now] of Object.entries(tablesNow)) {
    const before = tablesAtReset[name];
    const delta = Object.fromEntries(
      TABLE_COUNTS.map((c) => [c, now[c] - (before?.[c] ?? 0)]),
    ) as TableCounts;
    if (TABLE_COUNTS.some((c) => delta[c] !== 0)) tables[name] = delta;
  }
  const cpuMsByProcess = Object.fromEntries(
    [...cpuNow].map(([kind, seconds]) => [
      kind,
      Math.round(1000 * (seconds - (cpuAtReset.get(kind) ?? 0))),
    ]),
  );
  const { rows } = await client.query<{
    query: string;
    calls: string;
    total_ms: number;
    plan_ms: number;
    rows: string;
    hit: string;
    read: string;
  }>(
    `SELECT query, sum(calls)::text AS calls,
            sum(total_exec_time + total_plan_time)::float8 AS total_ms,
            sum(total_plan_time)::float8 AS plan_ms, sum(rows)::text AS rows,
            sum(shared_blks_hit)::text AS hit, sum(shared_blks_read)::text AS read
       FROM pg_stat_statements
      WHERE query NOT LIKE '%pg_stat_statements%' AND query NOT LIKE '%pg_stat_user_tables%'
        AND query NOT LIKE 'SELECT pg_snapshot_xmax(pg_current_snapshot())%'
        AND query NOT LIKE '%pg_stat_clear_snapshot%' AND query NOT LIKE 'SELECT pg_backend_pid()%'
      GROUP BY query`,
  );
  const statements = rows.map((r) => ({
    query: r.query,
    calls: Number(r.calls),
    totalMs: r.total_ms,
    planMs: r.plan_ms,
    rows: Number(r.rows),
    sharedBlocksHit: Number(r.hit),
    sharedBlocksRead: Number(r.read),
  }));
  return {
    requests,
    cpuMsByProcess,
    tables,
    statements,
    allTotalMs: statements.reduce((t, s) => t + s.totalMs, 0),
    allCalls: statements.reduce((t, s) => t + s.calls, 0),
  };
}

/** Samples of one scenario (rounds of an A/B) summed per query text. */
function mergeStatements(samples: readonly StatementSample[]): StatementSample {
  const byQuery = new Map<string, StatementFigure>();
  for (const sample of samples) {
    for (const s of sample.statements) {
      const seen = byQuery.get(s.query);
      if (!seen) byQuery.set(s.query, { ...s });
      else {
        seen.calls += s.calls;
        seen.totalMs += s.totalMs;
        seen.planMs += s.planMs;
        seen.rows += s.rows;
        seen.sharedBlocksHit += s.sharedBlocksHit;
        seen.sharedBlocksRead += s.sharedBlocksRead;
      }
    }
  }
  const statements = [...byQuery.values()];
  const cpuMsByProcess: Record<string, number> = {};
  const tables: Record<string, TableCounts> = {};
  for (const sample of samples) {
    for (const [name, counts] of Object.entries(sample.tables)) {
      const sum = (tables[name] ??= Object.fromEntries(
        TABLE_COUNTS.map((c) => [c, 0]),
      ) as TableCounts);
      for (const c of TABLE_COUNTS) sum[c] += counts[c];
    }
  }
  for (const sample of samples)
    for (const [kind, ms] of Object.entries(sample.cpuMsByProcess))
      cpuMsByProcess[kind] = (cpuMsByProcess[kind] ?? 0) + ms;
  return {
    requests: samples.reduce((t, s) => t + s.requests, 0),
    cpuMsByProcess,
    tables,
    statements,
    allTotalMs: statements.reduce((t, s) => t + s.totalMs, 0),
    allCalls: statements.reduce((t, s) => t + s.calls, 0),
  };
}

const oneLine = (query: string, max = 220): string => {
  const flat = query.replace(/\s+/g, ' ').trim().replace(/\|/g, '\\|');
  return flat.length > max ? `${flat.slice(0, max)}…` : flat;
};

/** One scenario's table: the top statements by total time, per request and per call. */
function statementTable(title: string, sample: StatementSample): string[] {
  const per = (n: number) => (sample.requests ? n / sample.requests : NaN);
  const top = [...sample.statements].sort((a, b) => b.totalMs - a.totalMs).slice(0, TOP_STATEMENTS);
  return [
    `### ${title}`,
    '',
    `${sample.requests} requests; every statement: ${sample.allCalls} calls (${per(sample.allCalls).toFixed(1)} per request), ` +
      `${sample.allTotalMs.toFixed(0)} ms in total (${per(sample.allTotalMs).toFixed(2)} ms per request).`,
    '',
    `PostgreSQL CPU per request by process: ${Object.entries(sample.cpuMsByProcess)
      .filter(([, ms]) => ms > 0)
      .sort((a, b) => b[1] - a[1])
      .map(([kind, ms]) => `${kind} ${per(ms).toFixed(2)} ms`)
      .join(', ')}.`,
    '',
    '| # | calls | calls/request | mean ms | of which plan | total ms | ms/request | share | rows/call | blocks hit/call | statement |',
    '| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |',
    ...top.map(
      (s, i) =>
        `| ${i + 1} | ${s.calls} | ${per(s.calls).toFixed(2)} | ${(s.totalMs / s.calls).toFixed(3)} | ` +
        `${(s.planMs / s.calls).toFixed(3)} | ${s.totalMs.toFixed(0)} | ${per(s.totalMs).toFixed(3)} | ` +
        `${((100 * s.totalMs) / sample.allTotalMs).toFixed(1)} % | ${(s.rows / s.calls).toFixed(1)} | ` +
        `${(s.sharedBlocksHit / s.calls).toFixed(0)} | \`${oneLine(s.query)}\` |`,
    ),
    '',
    'Per table, per request (pg_stat_user_tables; tables with updates or inserts):',
    '',
    '| table | inserted | updated | of which HOT | deleted | seq scans | rows seq-read | index scans |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
    ...Object.entries(sample.tables)
      .filter(([, t]) => t.n_tup_ins + t.n_tup_upd + t.n_tup_del > 0)
      .sort((a, b) => b[1].n_tup_ins + b[1].n_tup_upd - (a[1].n_tup_ins + a[1].n_tup_upd))
      .map(
        ([name, t]) =>
          `| ${name} | ${per(t.n_tup_ins).toFixed(2)} | ${per(t.n_tup_upd).toFixed(2)} | ${per(t.n_tup_hot_upd).toFixed(2)} | ${per(t.n_tup_del).toFixed(2)} | ${per(t.seq_scan).toFixed(2)} | ${per(t.seq_tup_read).toFixed(1)} | ${per(t.idx_scan).toFixed(2)} |`,
      ),
    '',
  ];
}

async function writeStatements(
  file: string,
  heading: string,
  sections: readonly (readonly [title: string, sample: StatementSample])[],
): Promise<void> {
  const dir = join(__dirname, 'results');
  await mkdir(dir, { recursive: true });
  // Every statement, for what the tables leave out.
  await writeFile(
    join(dir, file.replace(/\.md$/, '.json')),
    `${JSON.stringify(Object.fromEntries(sections), null, 2)}\n`,
  );
  await writeFile(
    join(dir, file),
    [
      heading,
      '',
      'From `pg_stat_statements` (with `track_planning`), reset before each measured run (after its warm-up), ' +
        "read after it; top-level statements of every connection (the server's pool, its projector, " +
        "the subscription's polls), summed by query text. Times are the backends' wall time " +
        '(execution plus planning, including waits for locks and for the CPU), not CPU: they rank ' +
        "the statements, the scenario's PostgreSQL CPU per request is in the main table.",
      '',
      ...sections.flatMap(([title, sample]) => statementTable(title, sample)),
    ].join('\n'),
  );
}

// ---------------------------------------------------------------------------------------
// Seeding straight into the event store: the server's projector projects it.

const meta = (cycleId?: string, schemaVersion = 1) => ({
  tenantId: TENANT,
  actorId: 'bench',
  correlationId: randomUUID(),
  causationId: null,
  schemaVersion,
  source: 'bench',
  ...(cycleId ? { cycleId } : {}),
});

interface SeededCycle {
  id: string;
  objectives: string[];
  keyResults: string[];
  /** Key results the MEMBER caller may check in on (their teams' objectives). */
  memberWritable?: string[];
}

type Append = [stream: string, events: NewEvent[]];

/**
 * The visibility data set (ADR 0017), the common enterprise case: 12 teams (3 departments of 3
 * teams each), 6 members per team; the MEMBER caller belongs to 2 teams and leads one
 * department (so sees its 3 teams too). Objectives of the visibility cycles belong to the teams
 * in turn and are PUBLIC, TEAM or PRIVATE in turn; every 7th PRIVATE one is the caller's own.
 */
const MEMBER = 'bench-member';
const TEAMS: string[] = Array.from({ length: 12 }, () => randomUUID());
const MEMBER_TEAMS = [TEAMS[4]!, TEAMS[9]!];
const MEMBER_LEADS = TEAMS[0]!; // a department: teams 3, 4, 5 are below it

function teamEvents(): Append[] {
  return TEAMS.map((teamId, t) => [
    `team-${teamId}`,
    [
      {
        type: 'TeamCreated',
        data: {
          teamId,
          name: `Team ${t}`,
          parentTeamId: t < 3 ? null : TEAMS[Math.floor(t / 3) - 1]!,
        },
        metadata: meta(),
      },
      ...Array.from({ length: 6 }, (_, m) => ({
        type: 'TeamMemberAdded',
        data: { teamId, personId: `user-${(t * 6 + m) % 20}`, lead: m === 0 },
        metadata: meta(),
      })),
      ...(MEMBER_TEAMS.includes(teamId) || teamId === MEMBER_LEADS
        ? [
            {
              type: 'TeamMemberAdded',
              data: { teamId, personId: MEMBER, lead: teamId === MEMBER_LEADS },
              metadata: meta(),
            },
          ]
        : []),
    ],
  ]);
}

interface Access {
  teamId: string | null;
  visibility?: 'PUBLIC' | 'TEAM' | 'PRIVATE';
  ownerId: string;
}
const VISIBILITIES = ['PUBLIC', 'TEAM', 'PRIVATE'] as const;
const mixedAccess = (o: number): Access => {
  const visibility = VISIBILITIES[o % 3]!;
  return {
    teamId: TEAMS[o % TEAMS.length]!,
    visibility,
    ownerId: visibility === 'PRIVATE' && o % 7 === 0 ? MEMBER : `user-${o % 20}`,
  };
};

/** A started cycle around now; objectives flat, or aligned as a tree (4 children each). */
function cycleEvents(
  objectives: number,
  krsPerObjective: number,
  tree: boolean,
  access: (o: number) => Access = (o) => ({ teamId: null, ownerId: `user-${o % 20}` }),
): { cycle: SeededCycle; first: Append; rest: Append[] } {
  const cycleId = randomUUID();
  const startsAt = new Date(Date.now() - 10 * DAY).toISOString();
  const endsAt = new Date(Date.now() + 80 * DAY).toISOString();
  const first: Append = [
    `cycle-${cycleId}`,
    [
      {
        type: 'CycleScheduled',
        data: { cycleId, name: `bench ${objectives}`, startsAt, endsAt },
        metadata: meta(cycleId),
      },
      { type: 'CycleStarted', data: { cycleId }, metadata: meta(cycleId) },
    ],
  ];
  const cycle: SeededCycle = { id: cycleId, objectives: [], keyResults: [] };
  const rest: Append[] = [];
  for (let o = 0; o < objectives; o++) {
    const objectiveId = randomUUID();
    const parentId = tree && o > 0 ? cycle.objectives[Math.floor((o - 1) / 4)] : undefined;
    cycle.objectives.push(objectiveId);
    // Release-1 events (upcast to PUBLIC) unless the data set gives a visibility.
    const { visibility, ...owner } = access(o);
    rest.push([
      `objective-${objectiveId}`,
      [
        {
          type: 'ObjectiveSet',
          data: {
            objectiveId,
            cycleId,
            title: `Objective ${o}`,
            description: null,
            ...owner,
            parent: parentId ? { kind: 'OBJECTIVE', objectiveId: parentId } : null,
            ...(visibility ? { visibility } : {}),
          },
          metadata: meta(cycleId, visibility ? 2 : 1),
        },
      ],
    ]);
    for (let k = 0; k < krsPerObjective; k++) {
      const keyResultId = randomUUID();
      cycle.keyResults.push(keyResultId);
      if (owner.teamId && MEMBER_TEAMS.includes(owner.teamId) && visibility !== 'PRIVATE')
        (cycle.memberWritable ??= []).push(keyResultId);
      rest.push([
        `key-result-${keyResultId}`,
        [
          {
            type: 'KeyResultAdded',
            data: {
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
            metadata: meta(cycleId),
          },
        ],
      ]);
    }
  }
  return { cycle, first, rest };
}

async function seed(url: string, shapes: Parameters<typeof cycleEvents>[]) {
  const store = await createPostgresEventStore(url, { maxConnections: 16 });
  try {
    const built = shapes.map((shape) => cycleEvents(...shape));
    for (const team of teamEvents()) await store.append(...team);
    for (const { first } of built) await store.append(...first);
    // Objectives before their key results and parents before children: in order per cycle,
    // 16 appends in flight over all of them.
    const queue = built.flatMap((b) => b.rest);
    let next = 0;
    await Promise.all(
      Array.from({ length: 16 }, async () => {
        while (next < queue.length) {
          const i = next++;
          await store.append(...queue[i]!);
        }
      }),
    );
    const teams = TEAMS.length + TEAMS.length * 6 + 3;
    return { cycles: built.map((b) => b.cycle), events: queue.length + 2 * built.length + teams };
  } finally {
    await store.close();
  }
}

// ---------------------------------------------------------------------------------------
// The server.

async function startServer(
  databaseUrl: string,
  extraEnv: Record<string, string> = {},
  root = ROOT,
) {
  execFileSync(process.execPath, [join(root, 'scripts/build-api.cjs')], { stdio: 'inherit' });
  const port = await freePort();
  const flags = CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${CPU_PROF}`] : [];
  const child = spawn(process.execPath, [...flags, join(root, ENTRY)], {
    cwd: root,
    env: {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      NO_COLOR: '1',
      PORT: String(port),
      DATABASE_URL: databaseUrl,
      ...extraEnv,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let tail = '';
  const keep = (c: Buffer) => (tail = (tail + c.toString()).slice(-4000));
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  const exited = new Promise<void>((done) => child.on('exit', () => done()));
  const base = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null || Date.now() > deadline)
      throw new Error(`server did not start:\n${tail}`);
    const ok = await fetch(`${base}/health`).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    base,
    pid: child.pid!,
    async stop() {
      child.kill('SIGINT');
      await exited;
    },
  };
}

async function waitForProjections(base: string): Promise<void> {
  const deadline = Date.now() + 600_000;
  while (Date.now() < deadline) {
    const health = (await (await fetch(`${base}/health`)).json()) as {
      details?: { projections?: { lag?: Record<string, { eventsBehind: number }> } };
    };
    const lag = Object.values(health.details?.projections?.lag ?? {});
    if (lag.length > 0 && lag.every((l) => l.eventsBehind === 0)) return;
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error('projections did not catch up within 10 minutes');
}

// ---------------------------------------------------------------------------------------
// Scenarios.

interface Figure {
  requestsPerSecond: number;
  /** From the server's GET /metrics, before and after. */
  server?: ReturnType<typeof fromMetrics>;
  /**
   * PostgreSQL write transactions per request (transaction ids assigned, whole server:
   * appends, projection batches, anything else that wrote meanwhile).
   */
  dbWriteTransactionsPerRequest?: number;
  latencyMs: { p50: number; p99: number; mean: number };
  requests: number;
  non2xx: number;
  graphqlErrors: number;
  socketErrors: number;
  timeouts: number;
  serverCpuMsPerRequest: number;
  /** The whole PostgreSQL server's CPU per request. */
  postgresCpuMsPerRequest: number;
  machineBusy: number;
  firstError?: string;
}

type Body = { query: string; variables?: Record<string, unknown> };
interface ConnectionState {
  slot?: number;
  i?: number;
  objectiveId?: string;
}

let dbStats: (() => Promise<number>) | undefined;

/** Every sample of GET /metrics, keyed by its line's name and labels. */
async function scrape(base: string): Promise<Map<string, number>> {
  const text = await (await fetch(`${base}/metrics`)).text();
  const samples = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (!line || line.startsWith('#')) continue;
    const at = line.lastIndexOf(' ');
    samples.set(line.slice(0, at), Number(line.slice(at + 1)));
  }
  return samples;
}

/** What the server's own metrics say happened during a scenario, per request. */
function fromMetrics(before: Map<string, number>, after: Map<string, number>, requests: number) {
  const delta = (key: string) => (after.get(key) ?? 0) - (before.get(key) ?? 0);
  const sumOver = (prefix: string, suffix: string) =>
    [...after.keys()]
      .filter((k) => k.startsWith(prefix) && k.includes(suffix))
      .reduce((total, k) => total + delta(k), 0);
  const appends = sumOver('okr_event_store_append_duration_seconds_count', '');
  const projections = new Set(
    [...after.keys()]
      .map((k) => /^okr_projection_batch_events_count\{projection="([^"]+)"\}/.exec(k)?.[1])
      .filter((p): p is string => p !== undefined),
  );
  const per = (n: number) => +(n / requests).toFixed(2);
  return {
    graphqlMeanMs: +(
      (1000 * sumOver('okr_graphql_request_duration_seconds_sum', '')) /
      Math.max(1, sumOver('okr_graphql_request_duration_seconds_count', ''))
    ).toFixed(2),
    appendsPerRequest: per(appends),
    appendMeanMs: appends
      ? +((1000 * sumOver('okr_event_store_append_duration_seconds_sum', '')) / appends).toFixed(2)
      : 0,
    projectionBatches: Object.fromEntries(
      [...projections].map((p) => {
        const label = `{projection="${p}"}`;
        const batches = delta(`okr_projection_batch_events_count${label}`);
        return [
          p,
          {
            batchesPerRequest: per(batches),
            meanEvents: batches
              ? +(delta(`okr_projection_batch_events_sum${label}`) / batches).toFixed(1)
              : 0,
            meanApplyMs: batches
              ? +(
                  (1000 * delta(`okr_projection_batch_apply_duration_seconds_sum${label}`)) /
                  batches
                ).toFixed(2)
              : 0,
          },
        ];
      }),
    ),
  };
}

async function load(
  base: string,
  pid: number,
  token: string,
  bodies: ((state: ConnectionState) => Body)[],
  onBody?: (index: number, body: string, state: ConnectionState) => void,
  seconds = SECONDS,
): Promise<Figure> {
  let graphqlErrors = 0;
  let firstError: string | undefined;
  const commitsBefore = await dbStats?.();
  const metricsBefore = await scrape(base);
  const cpuBefore = processCpuSeconds(pid);
  const pgCpuBefore = postmasterPid ? postgresCpuSeconds(postmasterPid) : NaN;
  const ticksBefore = cpuTicks();
  const result = await autocannon({
    url: `${base}/graphql`,
    connections: CONNECTIONS,
    duration: seconds,
    requests: bodies.map((make, index) => ({
      method: 'POST' as const,
      path: '/graphql',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      setupRequest: (request: autocannon.Request, context: object) => ({
        ...request,
        body: JSON.stringify(make(context)),
      }),
      onResponse: (status: number, body: string, context: object) => {
        if (body.includes('"errors"')) {
          graphqlErrors++;
          firstError ??= body.slice(0, 300);
        }
        onBody?.(index, body, context);
        void status;
      },
    })),
  });
  const ticksAfter = cpuTicks();
  const cpu = processCpuSeconds(pid) - cpuBefore;
  const pgCpu = postmasterPid ? postgresCpuSeconds(postmasterPid) - pgCpuBefore : NaN;
  const requests = result.requests.total;
  const commitsAfter = await dbStats?.();
  const metricsAfter = await scrape(base);
  return {
    requestsPerSecond: Math.round(result.requests.average),
    ...(commitsBefore !== undefined && commitsAfter !== undefined && requests
      ? { dbWriteTransactionsPerRequest: +((commitsAfter - commitsBefore) / requests).toFixed(2) }
      : {}),
    latencyMs: {
      p50: result.latency.p50,
      p99: result.latency.p99,
      mean: +result.latency.mean.toFixed(1),
    },
    requests,
    non2xx: result.non2xx,
    graphqlErrors,
    socketErrors: result.errors,
    timeouts: result.timeouts,
    serverCpuMsPerRequest: requests ? +((cpu * 1000) / requests).toFixed(2) : NaN,
    postgresCpuMsPerRequest: requests ? +((pgCpu * 1000) / requests).toFixed(2) : NaN,
    ...(requests ? { server: fromMetrics(metricsBefore, metricsAfter, requests) } : {}),
    machineBusy: +(
      (ticksAfter.busy - ticksBefore.busy) /
      (ticksAfter.total - ticksBefore.total)
    ).toFixed(2),
    ...(firstError ? { firstError } : {}),
  };
}

const FLOOR = { query: 'query Floor { __typename }' };
const CHECK_IN = `mutation CheckIn($input: CheckInKeyResultInput!) {
  checkInKeyResult(input: $input) { id value }
}`;
const PAGE = `query Page($cycleId: ID!) {
  objectives(cycleId: $cycleId, first: 20) {
    totalCount
    edges { node { id title progress health keyResults { title progress health currentValue } } }
  }
}`;
const TREE = `query Tree($cycleId: ID!) {
  alignmentTree(cycleId: $cycleId) { depth parentId progress objective { id title } }
}`;
const SET_OBJECTIVE = `mutation CreateObjective($input: SetObjectiveInput!) {
  setObjective(input: $input) { id }
}`;
const ADD_KEY_RESULT = `mutation CreateKeyResult($input: AddKeyResultInput!) {
  addKeyResult(input: $input) { id }
}`;

/** Check-ins spread over the key results, each connection on key results of its own. */
function checkIns(keyResults: readonly string[]): (state: ConnectionState) => Body {
  let slots = 0;
  const perSlot = Array.from({ length: CONNECTIONS }, (_, s) =>
    keyResults.filter((_, i) => i % CONNECTIONS === s),
  );
  return (state) => {
    state.slot ??= slots++ % CONNECTIONS;
    state.i = (state.i ?? 0) + 1;
    const own = perSlot[state.slot]!;
    return {
      query: CHECK_IN,
      variables: {
        input: {
          keyResultId: own[state.i % own.length],
          value: Math.round(Math.random() * 100),
          confidence: 0.7,
        },
      },
    };
  };
}

/** setObjective / addKeyResult alternating; each connection adds to the objective it created. */
function creations(target: SeededCycle): ((state: ConnectionState) => Body)[] {
  return [
    () => ({
      query: SET_OBJECTIVE,
      variables: { input: { cycleId: target.id, title: 'Created under load', ownerId: 'bench' } },
    }),
    (state) => ({
      query: ADD_KEY_RESULT,
      variables: {
        input: {
          objectiveId: state.objectiveId ?? target.objectives[0],
          title: 'Created under load',
          type: 'INCREASE',
          kind: 'OUTCOME',
          startValue: 0,
          targetValue: 100,
        },
      },
    }),
  ];
}

function rememberObjective(index: number, body: string, state: ConnectionState): void {
  if (index !== 0) return;
  const id = /"id":"([^"]+)"/.exec(body)?.[1];
  if (id) state.objectiveId = id;
}

/** Scenarios that write: an A/B of them gives each server a database of its own. */
const WRITE_SCENARIOS = new Set(['checkIn', 'checkInSmall', 'visCheckInMember', 'create']);

// ---------------------------------------------------------------------------------------

const ratio = (a: number, b: number) => +(a / b).toFixed(2);

async function main(): Promise<void> {
  const loadBefore = loadavg().map((l) => +l.toFixed(2));
  const log = (m: string) => process.stderr.write(`${m}\n`);
  const pg = await startThrowawayPostgres('okr-bench-api-', statementSettings());
  let server: Awaited<ReturnType<typeof startServer>> | undefined;
  try {
    let t0 = Date.now();
    server = await startServer(pg.url);
    const startMs = Date.now() - t0;
    log(`server healthy in ${startMs} ms (${server.base})`);
    const stats = new Client({ connectionString: pg.url });
    await stats.connect();
    dbStats = async () => {
      // The next transaction id: exact at once, unlike pg_stat_database's delayed counters.
      const { rows } = await stats.query<{ n: string }>(
        'SELECT pg_snapshot_xmax(pg_current_snapshot())::text AS n',
      );
      return Number(rows[0]?.n ?? NaN);
    };
    const backend = await stats.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
    postmasterPid = Number(statFields(String(backend.rows[0]!.pid))?.[1]);
    if (STATEMENTS) await stats.query('CREATE EXTENSION IF NOT EXISTS pg_stat_statements');
    const statementSamples: [string, StatementSample][] = [];
    const token = await signDevelopmentToken(
      { sub: 'bench', org: TENANT, roles: ['ADMIN'] },
      DEVELOPMENT_JWT_SECRET,
    );
    const memberToken = await signDevelopmentToken(
      { sub: MEMBER, org: TENANT, roles: ['MEMBER'] },
      DEVELOPMENT_JWT_SECRET,
    );

    t0 = Date.now();
    const run = (name: string) => !ONLY || ONLY.includes(name);
    const { cycles, events } = await seed(pg.url, [
      [20, 10, false], // the page: 20 objectives × 10 key results
      [100, 2, true], // small cycle: check-ins, alignment tree of 100
      [1000, 2, true], // alignment tree of 1,000
      [run('checkInLarge') ? LARGE : 1, 2, true], // large cycle: check-ins
      [1, 1, false], // creation target
      [60, 10, false, mixedAccess], // visibility: the page read by an ADMIN and a MEMBER
      [100, 2, true, mixedAccess], // visibility: the alignment tree of 100
    ]);
    const [page, small, thousand, large, creation, visPage, visTree] = cycles as [
      SeededCycle,
      SeededCycle,
      SeededCycle,
      SeededCycle,
      SeededCycle,
      SeededCycle,
      SeededCycle,
    ];
    const seedMs = Date.now() - t0;
    await waitForProjections(server.base);
    const projectedMs = Date.now() - t0;
    log(`seeded ${events} events in ${seedMs} ms, projected after ${projectedMs} ms`);

    const figures: Record<string, Figure> = {};
    const measure = async (
      name: string,
      bodies: ((state: ConnectionState) => Body)[],
      onBody?: (index: number, body: string, state: ConnectionState) => void,
      as = token,
    ) => {
      // A profiled run measures only what it names, so the profile holds that request alone.
      if (!run(name) && !(name.startsWith('floor') && !CPU_PROF)) return;
      // A short warm-up of the same requests (JIT, plans, pools), not counted.
      await load(server!.base, server!.pid, as, bodies, onBody, 1);
      if (STATEMENTS) await resetStatements(stats);
      const f = await load(server!.base, server!.pid, as, bodies, onBody);
      figures[name] = f;
      if (STATEMENTS) statementSamples.push([name, await readStatements(stats, f.requests)]);
      log(
        `${name}: ${f.requestsPerSecond} req/s, p50 ${f.latencyMs.p50} ms, p99 ${f.latencyMs.p99} ms, ` +
          `GraphQL errors ${f.graphqlErrors}, non-2xx ${f.non2xx}, machine busy ${f.machineBusy}`,
      );
    };

    await measure('floor', [() => FLOOR]);
    await measure('page', [() => ({ query: PAGE, variables: { cycleId: page.id } })]);
    await measure('checkIn', [checkIns(page.keyResults)]);
    let created = 0;
    await measure('create', creations(creation), (index, body, state) => {
      const before = state.objectiveId;
      rememberObjective(index, body, state);
      if (state.objectiveId !== before) created++;
    });
    await measure('floorMiddle', [() => FLOOR]);
    await measure('tree100', [() => ({ query: TREE, variables: { cycleId: small.id } })]);
    await measure('tree1000', [() => ({ query: TREE, variables: { cycleId: thousand.id } })]);
    await measure('checkInSmall', [checkIns(small.keyResults)]);
    // 200 key results spread over the whole large cycle.
    const step = Math.max(1, Math.floor(large.keyResults.length / 200));
    await measure('checkInLarge', [
      checkIns(large.keyResults.filter((_, i) => i % step === 0).slice(0, 200)),
    ]);
    // Visibility (ADR 0017) side by side: the same requests on the same mixed cycles by an
    // ADMIN (sees PUBLIC and TEAM) and by a MEMBER of 2 teams leading a department.
    const visPageBody = () => ({ query: PAGE, variables: { cycleId: visPage.id } });
    const visTreeBody = () => ({ query: TREE, variables: { cycleId: visTree.id } });
    await measure('visPageAdmin', [visPageBody]);
    await measure('visPageMember', [visPageBody], undefined, memberToken);
    await measure('visTreeAdmin', [visTreeBody]);
    await measure('visTreeMember', [visTreeBody], undefined, memberToken);
    await measure('visCheckInAdmin', [checkIns(visPage.memberWritable ?? [])]);
    await measure(
      'visCheckInMember',
      [checkIns(visPage.memberWritable ?? [])],
      undefined,
      memberToken,
    );
    await measure('floorAgain', [() => FLOOR]);
    const loadAfter = loadavg().map((l) => +l.toFixed(2));
    if (STATEMENTS) {
      await writeStatements(
        'api-statements.md',
        `# API benchmark: PostgreSQL per statement\n\nMeasured ${new Date().toISOString()}, ${SECONDS} s per scenario at ${CONNECTIONS} connections (\`BENCH_PG_STATEMENTS=1${ONLY ? ` BENCH_ONLY=${ONLY.join(',')}` : ''}\`), load average ${loadBefore.join(' / ')} before, ${loadavg()
          .map((l) => l.toFixed(2))
          .join(' / ')} after.`,
        statementSamples.filter(([name]) => !name.startsWith('floor')),
      );
    }
    await stats.end();
    await server.stop();
    server = undefined;

    // The floor measured at the start, middle and end; the median is the reference, so that
    // one burst of other work on the machine does not skew every ratio.
    const floors = [figures.floor, figures.floorMiddle, figures.floorAgain]
      .filter((x): x is Figure => x !== undefined)
      .sort((a, b) => a.requestsPerSecond - b.requestsPerSecond);
    const floor = floors[Math.floor(floors.length / 2)] ?? {
      ...figures[Object.keys(figures)[0]!]!,
      requestsPerSecond: NaN,
      latencyMs: { p50: NaN, p99: NaN, mean: NaN },
    };
    const vsFloor = (f: Figure | undefined) =>
      f && {
        throughput: ratio(f.requestsPerSecond, floor.requestsPerSecond),
        p99: ratio(f.latencyMs.p99, floor.latencyMs.p99),
      };
    const met = (ok: boolean | undefined) =>
      ok === undefined ? 'not measured' : ok ? 'met' : 'missed';
    const f = figures;
    const errorsOf = (x?: Figure) =>
      x ? x.non2xx + x.graphqlErrors + x.socketErrors + x.timeouts : NaN;
    const goals = {
      checkInThroughput: {
        goal: '`checkInKeyResult` ≥ 0.5× the floor',
        value: vsFloor(f.checkIn)?.throughput,
        status: met(f.checkIn && vsFloor(f.checkIn)!.throughput >= 0.5),
      },
      checkInP99: {
        goal: '`checkInKeyResult` p99 ≤ 5× the floor p99',
        value: vsFloor(f.checkIn)?.p99,
        status: met(f.checkIn && vsFloor(f.checkIn)!.p99 <= 5),
      },
      checkInErrors: {
        goal: '`checkInKeyResult`: 0 errors (non-2xx, GraphQL, socket, timeouts)',
        value: errorsOf(f.checkIn),
        status: met(f.checkIn && errorsOf(f.checkIn) === 0),
      },
      page: {
        goal: 'the 20 × 10 page ≥ 0.25× the floor',
        value: vsFloor(f.page)?.throughput,
        status: met(f.page && vsFloor(f.page)!.throughput >= 0.25),
      },
      creation: {
        goal: 'creating objectives and key results ≥ 500 mutations/s',
        value: f.create?.requestsPerSecond,
        status: met(f.create && f.create.requestsPerSecond >= 500),
      },
      checkInLargeVsSmall: {
        goal: `time per check-in in a cycle of ${LARGE} objectives ≤ 1.5× a cycle of 100 (goal at 10,000)`,
        value:
          f.checkInLarge &&
          f.checkInSmall &&
          ratio(f.checkInSmall.requestsPerSecond, f.checkInLarge.requestsPerSecond),
        status: met(
          f.checkInLarge &&
            f.checkInSmall &&
            f.checkInSmall.requestsPerSecond / f.checkInLarge.requestsPerSecond <= 1.5,
        ),
      },
      alignmentTree: {
        goal: '`alignmentTree` of 1,000 objectives ≤ 12× the time of 100',
        value:
          f.tree100 &&
          f.tree1000 &&
          ratio(f.tree100.requestsPerSecond, f.tree1000.requestsPerSecond),
        status: met(
          f.tree100 &&
            f.tree1000 &&
            f.tree100.requestsPerSecond / f.tree1000.requestsPerSecond <= 12,
        ),
      },
    };
    const result = {
      measuredAt: new Date().toISOString(),
      machine: {
        cpus: cpus().length,
        cpuModel: cpus()[0]?.model ?? 'unknown',
        memoryGiB: +(totalmem() / 2 ** 30).toFixed(1),
        node: process.version,
        loadAverageBefore: loadBefore,
        loadAverageAfter: loadAfter,
        sharedWithOtherWork: true,
      },
      method: {
        server: `node ${ENTRY} (built by scripts/build-api.cjs, as npm start), in-process projector, throwaway embedded PostgreSQL 18`,
        loadGenerator: `autocannon, ${CONNECTIONS} connections, ${SECONDS} s per scenario after a 1 s warm-up`,
        seeded: {
          events,
          seedMs,
          projectedMs,
          largeCycleObjectives: LARGE,
          through: 'event store appends (16 in flight), projected by the server',
        },
        cycles: {
          page: '20 objectives × 10 key results, flat',
          small: '100 objectives × 2 key results, aligned tree (4 children per objective)',
          thousand: '1,000 objectives × 2 key results, aligned tree',
          visibility:
            '12 teams (3 departments of 3), 6 members each; 60 objectives × 10 key results flat and 100 × 2 aligned, each objective of a team in turn, PUBLIC / TEAM / PRIVATE in turn; the MEMBER belongs to 2 teams and leads a department (5 teams in scope)',
          large: `${LARGE} objectives × 2 key results, aligned tree`,
        },
        checkIns: 'each connection checks in on its own 1/16 of 200 key results, round robin',
        creation:
          'each connection alternates setObjective and addKeyResult on the objective it just created',
        serverStartMs: startMs,
        objectivesCreatedUnderLoad: created,
      },
      figures,
      vsFloor: Object.fromEntries(Object.entries(figures).map(([k, v]) => [k, vsFloor(v)])),
      goals,
    };
    console.log(JSON.stringify(result, null, 2));
    if (ONLY) return;
    await writeResults(result);
  } finally {
    await server?.stop();
    await pg.stop();
  }
}

async function writeResults(result: {
  measuredAt: string;
  machine: {
    cpus: number;
    cpuModel: string;
    loadAverageBefore: number[];
    loadAverageAfter: number[];
  };
  method: {
    seeded: { events: number; seedMs: number; projectedMs: number; largeCycleObjectives: number };
  };
  figures: Record<string, Figure>;
  vsFloor: Record<string, { throughput: number; p99: number } | undefined>;
  goals: Record<string, { goal: string; value: number | undefined; status: string }>;
}): Promise<void> {
  const dir = join(__dirname, 'results');
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, 'api.json'), `${JSON.stringify(result, null, 2)}\n`);
  const names: Record<string, string> = {
    floor: '`{ __typename }` (the floor)',
    page: '`objectives(cycleId, first: 20) { … keyResults { title progress health currentValue } }` (200 key results)',
    checkIn: '`checkInKeyResult` over the 200 key results of that cycle',
    create: '`setObjective` / `addKeyResult` alternating (mutations/s)',
    tree100: '`alignmentTree`, 100 objectives',
    tree1000: '`alignmentTree`, 1,000 objectives',
    checkInSmall: '`checkInKeyResult`, 200 key results of a 100-objective cycle',
    checkInLarge: `\`checkInKeyResult\`, 200 key results of a ${result.method.seeded.largeCycleObjectives}-objective cycle`,
    floorMiddle: '`{ __typename }` again, midway',
    floorAgain: '`{ __typename }` again, at the end',
    visPageAdmin:
      'visibility: the page of a 60-objective mixed cycle (PUBLIC/TEAM/PRIVATE, 12 teams), ADMIN',
    visPageMember: 'visibility: the same page, MEMBER of 2 teams leading a department',
    visTreeAdmin: 'visibility: `alignmentTree` of a 100-objective mixed cycle, ADMIN',
    visTreeMember: 'visibility: the same tree, MEMBER',
    visCheckInAdmin:
      "visibility: `checkInKeyResult` on 100 key results of the MEMBER's teams, ADMIN",
    visCheckInMember: 'visibility: the same check-ins, MEMBER',
  };
  const rows = Object.entries(result.figures).map(([k, f]) => {
    const v = result.vsFloor[k];
    return `| ${names[k] ?? k} | ${f.requestsPerSecond} | ${f.latencyMs.p50} | ${f.latencyMs.p99} | ${v?.throughput ?? ''}× (p99 ${v?.p99 ?? ''}×) | ${f.non2xx} / ${f.graphqlErrors} | ${f.serverCpuMsPerRequest} | ${f.postgresCpuMsPerRequest} | ${f.dbWriteTransactionsPerRequest ?? ''} | ${f.machineBusy} |`;
  });
  const goalRows = Object.values(result.goals).map(
    (g) => `| ${g.goal} | ${g.value ?? '—'} | **${g.status}** |`,
  );
  const { machine, method } = result;
  await writeFile(
    join(dir, 'api.md'),
    [
      '# API benchmark',
      '',
      `Measured ${result.measuredAt} on ${machine.cpus} × ${machine.cpuModel}: one server (\`npm start\`'s built entry, in-process projector) on a throwaway embedded PostgreSQL 18, autocannon at ${CONNECTIONS} connections, ${SECONDS} s per scenario, all in one run.`,
      `Seeded ${method.seeded.events} events straight into the event store in ${method.seeded.seedMs} ms; projected by the server after ${method.seeded.projectedMs} ms.`,
      '',
      `**Machine load:** load average (1/5/15 min) ${machine.loadAverageBefore.join(' / ')} before, ${machine.loadAverageAfter.join(' / ')} after. Other engineers were running tests on this 2-core machine during the run (the \`busy\` column is the whole machine's CPU use during each scenario, this benchmark included): these figures show the shape, and figures from a quiet machine are needed before judging the goals.`,
      '',
      'Ratios are to the median of the three floor runs (start, middle, end).',
      '',
      '| request | req/s | p50 ms | p99 ms | vs floor | non-2xx / GraphQL errors | API CPU ms/request | PostgreSQL CPU ms/request | PostgreSQL write transactions/request | machine busy |',
      '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
      ...rows,
      '',
      "## What the server's own /metrics said, per request of each scenario",
      '',
      'Server-side GraphQL time (Apollo received → response), appends and their mean latency, and for each projection the batches per request, mean events per batch and mean apply time per batch (inside the batch transaction).',
      '',
      '| scenario | GraphQL ms | appends | append ms | projection: batches / events per batch / apply ms |',
      '| --- | ---: | ---: | ---: | --- |',
      ...Object.entries(result.figures)
        .filter(([, f]) => f.server)
        .map(([k, f]) => {
          const s = f.server!;
          const batches = Object.entries(s.projectionBatches)
            .filter(([, b]) => b.batchesPerRequest > 0)
            .map(([p, b]) => `${p}: ${b.batchesPerRequest} / ${b.meanEvents} / ${b.meanApplyMs}`)
            .join('; ');
          return `| ${k} | ${s.graphqlMeanMs} | ${s.appendsPerRequest} | ${s.appendMeanMs} | ${batches} |`;
        }),
      '',
      '## Goals (issue 11)',
      '',
      '| goal | measured | |',
      '| --- | ---: | --- |',
      ...goalRows,
      '',
    ].join('\n'),
  );
}

// ---------------------------------------------------------------------------------------
// A/B of a server setting (BENCH_AB="NAME=value,…"): two servers on one database, A as
// npm start runs it and B with the setting (B reads A's projections: PROJECTOR=external),
// read-only requests alternated A, B, A, B in one run. Writes bench/results/api-ab-<name>.*.

async function abMain(setting: string): Promise<void> {
  const overrides = Object.fromEntries(
    setting.split(',').map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)]),
  );
  const name = process.env.BENCH_AB_NAME ?? 'ab';
  const scenarios = ONLY ?? ['floor', 'page', 'tree100'];
  const rounds = Number(process.env.BENCH_ROUNDS ?? 2);
  const loadBefore = loadavg().map((l) => +l.toFixed(2));
  // Both servers verify tokens with this secret and sign the ledger with this key, so that
  // NODE_ENV=production (which refuses the development ones) may be B's setting.
  const secret = `bench-${randomUUID()}-${randomUUID()}`;
  const ledgerKey = generateKeyPairSync('ed25519')
    .privateKey.export({ type: 'pkcs8', format: 'pem' })
    .toString();
  const shared = { AUTH_JWT_SECRET: secret, LEDGER_SIGNING_KEY: ledgerKey };
  const pg = await startThrowawayPostgres('okr-bench-api-ab-', statementSettings());
  const servers: Awaited<ReturnType<typeof startServer>>[] = [];
  // A write changes the database it runs on, so write scenarios give each server a database
  // of its own in the same cluster (same PostgreSQL processes, same settings), each with its
  // own in-process projector, seeded alike; reads share one database (B: PROJECTOR=external).
  const separate = scenarios.some((s) => WRITE_SCENARIOS.has(s));
  const stats = new Client({ connectionString: pg.url });
  await stats.connect();
  try {
    let urlB = pg.url;
    if (separate) {
      await stats.query('CREATE DATABASE okr_bench_ab_b');
      const url = new URL(pg.url);
      url.pathname = '/okr_bench_ab_b';
      urlB = url.toString();
    }
    // A from another checkout of the same schema (the code before a change), or as npm start.
    servers.push(await startServer(pg.url, shared, BASELINE ?? ROOT));
    servers.push(
      await startServer(urlB, {
        ...shared,
        ...(separate ? {} : { PROJECTOR: 'external' }),
        ...overrides,
      }),
    );
    const [a, b] = servers as [(typeof servers)[0], (typeof servers)[0]];
    // A and B run one after the other, so PostgreSQL's CPU during a run is that server's.
    const backend = await stats.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
    postmasterPid = Number(statFields(String(backend.rows[0]!.pid))?.[1]);
    if (STATEMENTS) await stats.query('CREATE EXTENSION IF NOT EXISTS pg_stat_statements');
    // Transaction ids are cluster-wide: counts both databases' writes, one server at a time.
    dbStats = async () => {
      const { rows } = await stats.query<{ n: string }>(
        'SELECT pg_snapshot_xmax(pg_current_snapshot())::text AS n',
      );
      return Number(rows[0]?.n ?? NaN);
    };
    const shapes: Parameters<typeof cycleEvents>[] = [
      [20, 10, false],
      [100, 2, true],
      [60, 10, false, mixedAccess],
      [100, 2, true, mixedAccess],
      [1, 1, false], // creation target
      // The tenant's size (BENCH_AB_LARGE objectives in another cycle) reaches a read only
      // through a plan that scans the tenant: 0 leaves it out.
      ...(AB_LARGE > 0 ? [[AB_LARGE, 1, true] as Parameters<typeof cycleEvents>] : []),
    ];
    const seededA = (await seed(pg.url, shapes)).cycles;
    const seededB = separate ? (await seed(urlB, shapes)).cycles : seededA;
    await waitForProjections(a.base);
    if (separate) await waitForProjections(b.base);
    const token = await signDevelopmentToken(
      { sub: 'bench', org: TENANT, roles: ['ADMIN'] },
      secret,
    );
    const memberToken = await signDevelopmentToken(
      { sub: MEMBER, org: TENANT, roles: ['MEMBER'] },
      secret,
    );
    type Maker = (state: ConnectionState) => Body;
    const bodiesOf = (cycles: SeededCycle[]): Record<string, Maker[]> => {
      const [page, small, visPage, visTree, creation] = cycles as [
        SeededCycle,
        SeededCycle,
        SeededCycle,
        SeededCycle,
        SeededCycle,
      ];
      return {
        floor: [() => FLOOR],
        page: [() => ({ query: PAGE, variables: { cycleId: page.id } })],
        tree100: [() => ({ query: TREE, variables: { cycleId: small.id } })],
        visPageMember: [() => ({ query: PAGE, variables: { cycleId: visPage.id } })],
        visTreeMember: [() => ({ query: TREE, variables: { cycleId: visTree.id } })],
        checkIn: [checkIns(page.keyResults)],
        checkInSmall: [checkIns(small.keyResults)],
        visCheckInMember: [checkIns(visPage.memberWritable ?? [])],
        create: creations(creation),
      };
    };
    const bodies = { A: bodiesOf(seededA), B: bodiesOf(seededB) };
    const tokenOf = (scenario: string) => (scenario.endsWith('Member') ? memberToken : token);
    const samples: Record<string, { A: Figure[]; B: Figure[] }> = {};
    const statementSamples: Record<string, { A: StatementSample[]; B: StatementSample[] }> = {};
    for (let round = 0; round < rounds; round++) {
      for (const scenario of scenarios) {
        for (const [label, server] of [
          ['A', a],
          ['B', b],
        ] as const) {
          const make = bodies[label][scenario];
          if (!make) throw new Error(`A/B runs ${Object.keys(bodies.A).join(', ')}`);
          const onBody = scenario === 'create' ? rememberObjective : undefined;
          const as = tokenOf(scenario);
          if (round === 0) await load(server.base, server.pid, as, make, onBody, 1);
          if (STATEMENTS) await resetStatements(stats);
          const f = await load(server.base, server.pid, as, make, onBody);
          (samples[scenario] ??= { A: [], B: [] })[label].push(f);
          if (STATEMENTS) {
            (statementSamples[scenario] ??= { A: [], B: [] })[label].push(
              await readStatements(stats, f.requests),
            );
          }
          process.stderr.write(
            `round ${round + 1} ${scenario} ${label}: ${f.requestsPerSecond} req/s, p99 ${f.latencyMs.p99} ms, ` +
              `CPU ${f.serverCpuMsPerRequest} ms/request, PostgreSQL ${f.postgresCpuMsPerRequest} ms, ` +
              `write tx ${f.dbWriteTransactionsPerRequest}, errors ${f.graphqlErrors + f.non2xx}\n`,
          );
        }
      }
    }
    const mean = (xs: number[]) => xs.reduce((x, y) => x + y, 0) / xs.length;
    const summary = Object.fromEntries(
      Object.entries(samples).map(([scenario, { A, B }]) => {
        const rpsA = mean(A.map((f) => f.requestsPerSecond));
        const rpsB = mean(B.map((f) => f.requestsPerSecond));
        const cpuA = mean(A.map((f) => f.serverCpuMsPerRequest));
        const cpuB = mean(B.map((f) => f.serverCpuMsPerRequest));
        const pgA = mean(A.map((f) => f.postgresCpuMsPerRequest));
        const pgB = mean(B.map((f) => f.postgresCpuMsPerRequest));
        return [
          scenario,
          {
            requestsPerSecond: {
              A: Math.round(rpsA),
              B: Math.round(rpsB),
              BvsA: ratio(rpsB, rpsA),
            },
            serverCpuMsPerRequest: {
              A: +cpuA.toFixed(2),
              B: +cpuB.toFixed(2),
              BvsA: ratio(cpuB, cpuA),
            },
            postgresCpuMsPerRequest: {
              A: +pgA.toFixed(2),
              B: +pgB.toFixed(2),
              BvsA: ratio(pgB, pgA),
            },
            p99Ms: { A: A.map((f) => f.latencyMs.p99), B: B.map((f) => f.latencyMs.p99) },
            writeTransactionsPerRequest: {
              A: A.map((f) => f.dbWriteTransactionsPerRequest),
              B: B.map((f) => f.dbWriteTransactionsPerRequest),
            },
          },
        ];
      }),
    );
    const result = {
      measuredAt: new Date().toISOString(),
      setting: overrides,
      ...(BASELINE ? { a: 'BENCH_AB_BASELINE: the build of another checkout' } : {}),
      tenantObjectives: 20 + 100 + 60 + 100 + AB_LARGE,
      loadAverage: { before: loadBefore, after: loadavg().map((l) => +l.toFixed(2)) },
      method: `${separate ? 'two servers, each on its own database of one throwaway PostgreSQL with its own in-process projector' : 'two servers on one throwaway PostgreSQL (B with PROJECTOR=external)'}, autocannon ${CONNECTIONS} connections, ${SECONDS} s per run, A and B alternated, ${rounds} rounds; mean of rounds`,
      summary,
      samples,
    };
    console.log(JSON.stringify(result, null, 2));
    const dir = join(__dirname, 'results');
    await writeFile(join(dir, `api-ab-${name}.json`), `${JSON.stringify(result, null, 2)}\n`);
    await writeFile(
      join(dir, `api-ab-${name}.md`),
      [
        `# API A/B: ${setting}`,
        '',
        `Measured ${result.measuredAt}; ${result.method}. Load average (1/5/15 min) ${result.loadAverage.before.join(' / ')} before, ${result.loadAverage.after.join(' / ')} after (shared machine: other engineers' tests were running).`,
        '',
        '| request | A req/s | B req/s | B/A | A CPU ms/request | B CPU ms/request | B/A | A PostgreSQL CPU ms/request | B PostgreSQL CPU ms/request | B/A |',
        '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
        ...Object.entries(summary).map(
          ([k, v]) =>
            `| ${k} | ${v.requestsPerSecond.A} | ${v.requestsPerSecond.B} | ${v.requestsPerSecond.BvsA} | ${v.serverCpuMsPerRequest.A} | ${v.serverCpuMsPerRequest.B} | ${v.serverCpuMsPerRequest.BvsA} | ${v.postgresCpuMsPerRequest.A} | ${v.postgresCpuMsPerRequest.B} | ${v.postgresCpuMsPerRequest.BvsA} |`,
        ),
        '',
      ].join('\n'),
    );
    if (STATEMENTS) {
      await writeStatements(
        `api-ab-${name}-statements.md`,
        `# API A/B per statement: ${setting}\n\nMeasured ${result.measuredAt}; ${result.method}; each side's rounds summed.`,
        Object.entries(statementSamples).flatMap(([scenario, { A, B }]) => [
          [`${scenario}, A${BASELINE ? ' (baseline)' : ''}`, mergeStatements(A)] as const,
          [`${scenario}, B`, mergeStatements(B)] as const,
        ]),
      );
    }
  } finally {
    await stats.end().catch(() => undefined);
    for (const server of servers.reverse()) await server.stop();
    await pg.stop();
  }
}

const AB = process.env.BENCH_AB;
const BASELINE = process.env.BENCH_AB_BASELINE;
const AB_LARGE = Number(process.env.BENCH_AB_LARGE ?? 0);
(AB ? abMain(AB) : main()).catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
