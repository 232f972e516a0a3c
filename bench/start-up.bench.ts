/**
 * Start-up time of the API: from spawning the start command to the first `GET /health` 200,
 * in a fresh clone of the committed HEAD (node_modules linked from this checkout: `npm ci`
 * is not timed). Before = the previous `npm start` (`nest build api` with tsc, then the
 * entry); after = the current `npm start`. Cold = no dist and a new data folder (initdb);
 * warm = built once and the data folder kept.
 *
 * Run: npm run bench:start-up. Writes bench/results/start-up.{json,md}.
 */
import { execFileSync, spawn } from 'node:child_process';
import { chmod, mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { freePort } from '@okr-ledger/platform';

const ROOT = resolve(__dirname, '..');
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 2);
const TIMEOUT_MS = 120_000;

const COMMANDS = {
  before: 'npx nest build api && node dist/apps/api/apps/api/src/main.js',
  after: 'npm start',
} as const;
type Variant = keyof typeof COMMANDS;

async function timeToHealthy(cwd: string, command: string, dataDir: string): Promise<number> {
  const port = await freePort();
  const started = performance.now();
  const child = spawn('sh', ['-c', command], {
    cwd,
    env: { ...process.env, PORT: String(port), OKR_DATA_DIR: dataDir, NO_COLOR: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
    // Its own process group: npm, sh, node and PostgreSQL stop together.
    detached: true,
  });
  let output = '';
  child.stdout.on('data', (c: Buffer) => (output += c.toString()));
  child.stderr.on('data', (c: Buffer) => (output += c.toString()));
  const exited = new Promise<void>((done) => child.on('exit', () => done()));
  try {
    for (;;) {
      if (performance.now() - started > TIMEOUT_MS || child.exitCode !== null) {
        throw new Error(`not healthy: ${command}\n${output}`);
      }
      const ok = await fetch(`http://127.0.0.1:${port}/health`).then(
        (r) => r.status === 200,
        () => false,
      );
      if (ok) return performance.now() - started;
      await new Promise((r) => setTimeout(r, 50));
    }
  } finally {
    if (child.pid !== undefined && child.exitCode === null) process.kill(-child.pid, 'SIGINT');
    await exited;
  }
}

async function main(): Promise<void> {
  const work = await mkdtemp(join(tmpdir(), 'okr-bench-start-up-'));
  // Run as root, the embedded PostgreSQL runs as a `postgres` user that must reach the data.
  await chmod(work, 0o755);
  const samples: Record<string, number[]> = {};
  const loadBefore = loadavg();
  try {
    for (let round = 0; round < ROUNDS; round++) {
      for (const variant of Object.keys(COMMANDS) as Variant[]) {
        const clone = join(work, `${variant}-${round}`);
        execFileSync('git', ['clone', '--quiet', ROOT, clone]);
        await symlink(join(ROOT, 'node_modules'), join(clone, 'node_modules'));
        const dataDir = join(clone, '.okr-data');
        for (const phase of ['cold', 'warm'] as const) {
          const ms = await timeToHealthy(clone, COMMANDS[variant], dataDir);
          const key = `${variant}/${phase}`;
          (samples[key] ??= []).push(Math.round(ms));
          process.stderr.write(`round ${round + 1} ${key}: ${Math.round(ms)} ms\n`);
        }
      }
    }
  } finally {
    await rm(work, { recursive: true, force: true });
  }
  const loadAfter = loadavg();
  const max = (key: string) => Math.max(...(samples[key] ?? [NaN]));
  const result = {
    measuredAt: new Date().toISOString(),
    machine: `${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}`,
    loadAverage1m: { before: +loadBefore[0]!.toFixed(2), after: +loadAfter[0]!.toFixed(2) },
    commands: COMMANDS,
    millisecondsToHealthy: samples,
    goals: {
      warmMs: { goal: 5000, worst: max('after/warm'), met: max('after/warm') <= 5000 },
      coldMs: { goal: 30000, worst: max('after/cold'), met: max('after/cold') <= 30000 },
    },
    notes:
      'Fresh git clone of HEAD per round and variant; node_modules linked (npm ci not timed). ' +
      'Cold: no dist, new data folder (initdb of the embedded PostgreSQL). Warm: second start, ' +
      'dist and data folder kept. Time from spawn to the first GET /health 200.',
  };
  await mkdir(join(__dirname, 'results'), { recursive: true });
  await writeFile(join(__dirname, 'results/start-up.json'), `${JSON.stringify(result, null, 2)}\n`);
  const row = (variant: Variant, phase: string) =>
    `| ${variant} | \`${COMMANDS[variant]}\` | ${phase} | ${(samples[`${variant}/${phase}`] ?? []).join(', ')} |`;
  await writeFile(
    join(__dirname, 'results/start-up.md'),
    [
      '# Start-up benchmark',
      '',
      `Measured ${result.measuredAt} on ${result.machine}; load average (1 min) ${result.loadAverage1m.before} before, ${result.loadAverage1m.after} after.`,
      '',
      '| variant | command | start | ms to first /health 200, each round |',
      '| --- | --- | --- | --- |',
      row('before', 'cold'),
      row('before', 'warm'),
      row('after', 'cold'),
      row('after', 'warm'),
      '',
      `Goals: a built checkout healthy in ≤ 5 s (worst warm start now ${result.goals.warmMs.worst} ms: ` +
        `${result.goals.warmMs.met ? 'met' : 'missed'}); a fresh clone's first start ≤ 30 s ` +
        `(worst cold start now ${result.goals.coldMs.worst} ms: ${result.goals.coldMs.met ? 'met' : 'missed'}).`,
      '',
      result.notes,
      '',
    ].join('\n'),
  );
  console.log(JSON.stringify(result, null, 2));
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
