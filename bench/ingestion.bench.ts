/**
 * Ingestion side by side with its baseline, in one run on one server: the same values
 * recorded (a) as single `checkInKeyResult` mutations, the way a script without ingestion
 * would, (b) as `POST /integrations/measurements` batches of 1,000 and (c) as GraphQL
 * `recordMeasurements` batches of 1,000 (which waits for its check-ins to be projected, like
 * every mutation). The API runs in this process (Nest, as `npm start` builds it) on a throwaway
 * embedded PostgreSQL; the client sends one request at a time, so each figure is the latency
 * of a whole request turned into values per second.
 *
 * Run: npm run bench:ingestion. Writes bench/results/ingestion.json.
 *   BENCH_BATCHES (20) HTTP batches of 1,000; BENCH_SINGLE (300) single check-ins;
 *   BENCH_KEY_RESULTS (10) key results the batches spread over.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { cpus, loadavg, totalmem } from 'node:os';
import { join, resolve } from 'node:path';
import { Test } from '@nestjs/testing';
import { DEVELOPMENT_JWT_SECRET, loadConfig, startThrowawayPostgres } from '@okr-ledger/platform';
import { AppModule } from '../apps/api/src/app.module';
import { signDevelopmentToken } from '../apps/api/src/auth/development-token';
import { configureHttpTransport } from '../apps/api/src/graphql/http-transport';

const ROOT = resolve(__dirname, '..');
const BATCHES = Number(process.env.BENCH_BATCHES ?? 20);
const SINGLE = Number(process.env.BENCH_SINGLE ?? 300);
const KEY_RESULTS = Number(process.env.BENCH_KEY_RESULTS ?? 10);
const BATCH = 1000;
const DAY = 86_400_000;
const log = (m: string) => process.stderr.write(`${m}\n`);

async function main(): Promise<void> {
  const loadBefore = loadavg().map((l) => +l.toFixed(2));
  const pg = await startThrowawayPostgres('okr-bench-ingestion-');
  const config = loadConfig({ ...process.env, DATABASE_URL: pg.url });
  const moduleRef = await Test.createTestingModule({
    imports: [AppModule.forRoot({ config, databaseUrl: pg.url })],
  }).compile();
  const app = moduleRef.createNestApplication({ logger: ['error'] });
  configureHttpTransport(app);
  await app.listen(0, '127.0.0.1');
  const base = (await app.getUrl()).replace('[::1]', '127.0.0.1');
  try {
    const token = await signDevelopmentToken(
      { sub: 'bench', org: 'bench', roles: ['ADMIN'] },
      DEVELOPMENT_JWT_SECRET,
    );
    const gql = async (bearer: string, query: string, variables: Record<string, unknown>) => {
      const response = await fetch(`${base}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${bearer}` },
        body: JSON.stringify({ query, variables }),
      });
      // The bench reads the answers it asked for loosely; a wrong shape fails it loudly.
      // eslint-disable-next-line @typescript-eslint/no-explicit-any
      const body = (await response.json()) as { data?: Record<string, any>; errors?: unknown[] };
      if (body.errors) throw new Error(JSON.stringify(body.errors));
      return body.data ?? {};
    };

    const now = Date.now();
    const { scheduleCycle } = await gql(
      token,
      'mutation ($i: ScheduleCycleInput!) { scheduleCycle(input: $i) { id } }',
      {
        i: {
          name: 'Q',
          startsAt: new Date(now - 30 * DAY).toISOString(),
          endsAt: new Date(now + 60 * DAY).toISOString(),
        },
      },
    );
    await gql(token, 'mutation ($id: ID!) { startCycle(id: $id) { id } }', {
      id: scheduleCycle.id,
    });
    const { setObjective } = await gql(
      token,
      'mutation ($i: SetObjectiveInput!) { setObjective(input: $i) { id } }',
      { i: { cycleId: scheduleCycle.id, title: 'Grow' } },
    );
    const addKeyResult = async (title: string) =>
      (
        await gql(token, 'mutation ($i: AddKeyResultInput!) { addKeyResult(input: $i) { id } }', {
          i: {
            objectiveId: setObjective.id,
            title,
            type: 'INCREASE',
            kind: 'OUTCOME',
            startValue: 0,
            targetValue: 1e9,
          },
        })
      ).addKeyResult.id as string;
    const fed: string[] = [];
    for (let i = 0; i < KEY_RESULTS; i++) fed.push(await addKeyResult(`Fed ${i}`));
    const manual = await addKeyResult('Manual');
    const { registerDataSource } = await gql(
      token,
      'mutation ($i: RegisterDataSourceInput!) { registerDataSource(input: $i) { key } }',
      { i: { name: 'Bench', kind: 'ANALYTICS', expectedIntervalHours: 1, keyResultIds: fed } },
    );
    const key = registerDataSource.key as string;
    // One value per second of the last days, spread over the key results, in instant order.
    let instant = now - 20 * DAY;
    const batch = () =>
      Array.from({ length: BATCH }, (_, i) => ({
        keyResultId: fed[i % fed.length],
        value: i,
        measuredAt: new Date((instant += 1000)).toISOString(),
      }));

    log(`baseline: ${SINGLE} single checkInKeyResult mutations`);
    let t0 = performance.now();
    for (let i = 0; i < SINGLE; i++) {
      await gql(
        token,
        'mutation ($i: CheckInKeyResultInput!) { checkInKeyResult(input: $i) { id } }',
        { i: { keyResultId: manual, value: i } },
      );
    }
    const singleMs = performance.now() - t0;

    log(`HTTP: ${BATCHES} batches of ${BATCH}`);
    const httpLatencies: number[] = [];
    t0 = performance.now();
    for (let b = 0; b < BATCHES; b++) {
      const start = performance.now();
      const response = await fetch(`${base}/integrations/measurements`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
        body: JSON.stringify({ measurements: batch() }),
      });
      const body = (await response.json()) as { results: { accepted: boolean }[] };
      if (response.status !== 200 || body.results.some((r) => !r.accepted)) {
        throw new Error(`batch ${b}: ${response.status} ${JSON.stringify(body).slice(0, 300)}`);
      }
      httpLatencies.push(performance.now() - start);
    }
    const httpMs = performance.now() - t0;

    const graphqlBatches = Math.max(1, Math.floor(BATCHES / 4));
    log(`GraphQL: ${graphqlBatches} recordMeasurements batches of ${BATCH}`);
    t0 = performance.now();
    for (let b = 0; b < graphqlBatches; b++) {
      const data = await gql(
        key,
        'mutation ($i: RecordMeasurementsInput!) { recordMeasurements(input: $i) { accepted checkIn { id } } }',
        { i: { measurements: batch() } },
      );
      if ((data.recordMeasurements as { accepted: boolean }[]).some((r) => !r.accepted)) {
        throw new Error('a measurement was refused');
      }
    }
    const graphqlMs = performance.now() - t0;

    const perSecond = (n: number, ms: number) => Math.round((n / ms) * 1000);
    const sorted = [...httpLatencies].sort((a, b) => a - b);
    const result = {
      ranAt: new Date().toISOString(),
      machine: {
        cpus: cpus().length,
        cpuModel: cpus()[0]?.model,
        memoryGiB: +(totalmem() / 2 ** 30).toFixed(1),
        loadBefore,
        loadAfter: loadavg().map((l) => +l.toFixed(2)),
      },
      setup: {
        keyResults: KEY_RESULTS,
        batchSize: BATCH,
        note: 'API in this process on a throwaway embedded PostgreSQL; one request at a time',
      },
      baselineSingleCheckIns: {
        values: SINGLE,
        seconds: +(singleMs / 1000).toFixed(2),
        valuesPerSecond: perSecond(SINGLE, singleMs),
      },
      httpBatches: {
        batches: BATCHES,
        values: BATCHES * BATCH,
        seconds: +(httpMs / 1000).toFixed(2),
        valuesPerSecond: perSecond(BATCHES * BATCH, httpMs),
        batchMs: {
          first: Math.round(httpLatencies[0] ?? 0),
          median: Math.round(sorted[Math.floor(sorted.length / 2)] ?? 0),
          last: Math.round(httpLatencies[httpLatencies.length - 1] ?? 0),
          max: Math.round(sorted[sorted.length - 1] ?? 0),
        },
      },
      graphqlBatches: {
        batches: graphqlBatches,
        values: graphqlBatches * BATCH,
        seconds: +(graphqlMs / 1000).toFixed(2),
        valuesPerSecond: perSecond(graphqlBatches * BATCH, graphqlMs),
      },
    };
    log(JSON.stringify(result, null, 2));
    await mkdir(join(ROOT, 'bench', 'results'), { recursive: true });
    await writeFile(
      join(ROOT, 'bench', 'results', 'ingestion.json'),
      `${JSON.stringify(result, null, 2)}\n`,
    );
  } finally {
    await app.close();
    await pg.stop();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(
    `${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exit(1);
});
