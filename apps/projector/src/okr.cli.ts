import 'reflect-metadata';
import { loadConfig } from '@okr-ledger/platform';
import {
  Projector,
  READ_MODEL_PROJECTIONS,
  readStalls,
  rebuildProjections,
  retryStalls,
  type RebuildProgress,
  type StoredStall,
} from '@okr-ledger/read-models';
import { ledgerEvidenceCommand, LEDGER_USAGE } from './ledger-evidence.command';
import { openProjectorDatabase } from './projector.database';

const USAGE = `usage: npm run okr -- rebuild [projection…]
       npm run okr -- projections
       npm run okr -- projections retry [--projection <name>] [--tenant <id>]
  rebuild: replays the log into fresh tables and swaps them in
  projections: lists the projections halted for a tenant by an event they could not apply
  projections retry: re-applies a halted tenant's events (after a fix), clearing the stall
    on success; exits 1 while any retried stall still fails
  projections: ${READ_MODEL_PROJECTIONS.map((p) => p.name).join(', ')} (all when none named)
  connects to DATABASE_URL, else to the embedded PostgreSQL in OKR_DATA_DIR (./.okr-data),
  the running API's one if it is up`;

/** One stall, as `npm run okr -- projections` lists it. */
export function renderStall(s: StoredStall): string {
  const retried = s.retriedAt ? `, last retried ${s.retriedAt.toISOString()}` : '';
  return [
    `${s.projection}  tenant ${s.tenantId}  stalled at ${s.position} since ${s.stalledAt.toISOString()} (${s.attempts} attempt${s.attempts === 1 ? '' : 's'}${retried})`,
    `  event ${s.eventType} ${s.eventId} in ${s.streamName}`,
    `  error: ${s.error}`,
  ].join('\n');
}

/** `--projection p --tenant t` (also `--projection=p`); null on anything else. */
function parseRetryFlags(
  args: readonly string[],
): { projection?: string; tenantId?: string } | null {
  const flags: { projection?: string; tenantId?: string } = {};
  for (let i = 0; i < args.length; i++) {
    const [flag, inline] = (args[i] ?? '').split(/=(.*)/s, 2) as [string, string | undefined];
    const value = inline ?? args[++i];
    if (value === undefined || value === '') return null;
    if (flag === '--projection') flags.projection = value;
    else if (flag === '--tenant') flags.tenantId = value;
    else return null;
  }
  return flags;
}

async function projectionsCommand(args: readonly string[]): Promise<number> {
  const [sub, ...rest] = args;
  const retry = sub === 'retry';
  if (sub !== undefined && !retry) {
    process.stderr.write(`unknown command: projections ${sub}\n${USAGE}\n`);
    return 2;
  }
  const flags = retry ? parseRetryFlags(rest) : {};
  if (flags === null) {
    process.stderr.write(`${USAGE}\n`);
    return 2;
  }
  if (flags.projection && !READ_MODEL_PROJECTIONS.some((p) => p.name === flags.projection)) {
    process.stderr.write(`unknown projection: ${flags.projection}\n${USAGE}\n`);
    return 2;
  }
  // Beside a serving API: a retry serialises with its batches on the checkpoint row.
  const opened = await openProjectorDatabase(loadConfig(), (m) => process.stderr.write(`${m}\n`), {
    shareRunning: true,
  });
  // Only for its pool; nothing is started.
  const projector = new Projector({
    store: opened.store,
    databaseUrl: opened.database.url,
    projections: READ_MODEL_PROJECTIONS,
    maxConnections: 2,
  });
  try {
    if (!retry) {
      const stalls = await readStalls(projector.pool);
      if (stalls.length === 0) {
        process.stdout.write('no stalled projections\n');
        return 0;
      }
      process.stdout.write(`${stalls.length} stalled (projection, tenant):\n`);
      for (const stall of stalls) process.stdout.write(`${renderStall(stall)}\n`);
      return 0;
    }
    let stillFailing = 0;
    let retried = 0;
    for (const projection of READ_MODEL_PROJECTIONS) {
      if (flags.projection && projection.name !== flags.projection) continue;
      const outcomes = await retryStalls(projector.pool, opened.store, projection, {
        ...(flags.tenantId ? { tenantId: flags.tenantId } : {}),
      });
      for (const o of outcomes) {
        retried++;
        if (o.failure) {
          stillFailing++;
          process.stdout.write(
            `${o.projection}  tenant ${o.tenantId}  still stalled at ${o.failure.position} (${o.failure.eventType} ${o.failure.eventId}): ${o.failure.error}\n`,
          );
        } else {
          process.stdout.write(
            `${o.projection}  tenant ${o.tenantId}  resumed: ${o.applied} event${o.applied === 1 ? '' : 's'} re-applied\n`,
          );
        }
      }
    }
    if (retried === 0) process.stdout.write('no stalled projections to retry\n');
    return stillFailing > 0 ? 1 : 0;
  } finally {
    await projector.stop();
    await opened.close();
  }
}

/** One line on stderr, redrawn in place: events done, events/s, time left. */
export function renderProgress(p: RebuildProgress): string {
  const rate = p.elapsedMs > 0 ? (p.done / p.elapsedMs) * 1000 : 0;
  const width = 24;
  const ratio = p.total ? Math.min(1, p.done / p.total) : 0;
  const bar = '█'.repeat(Math.round(ratio * width)).padEnd(width, '░');
  const left =
    p.total && rate > 0 ? `${Math.max(0, (p.total - p.done) / rate).toFixed(1)} s left` : '';
  const total = p.total === null ? '' : `/${p.total}`;
  return `${p.projection.padEnd(20)} ${bar} ${p.done}${total} events  ${Math.round(rate)} ev/s  ${left} ${p.phase === 'replay' ? '' : p.phase}`;
}

async function main(argv: readonly string[]): Promise<number> {
  const [command, ...names] = argv;
  if (command === 'projections') return projectionsCommand(names);
  const evidence = ledgerEvidenceCommand(command, names);
  if (evidence) return evidence;
  if (command !== 'rebuild') {
    process.stderr.write(`${USAGE}\n${LEDGER_USAGE}\n`);
    return command === undefined || command === '--help' ? 0 : 2;
  }
  const unknown = names.filter((n) => !READ_MODEL_PROJECTIONS.some((p) => p.name === n));
  if (unknown.length > 0) {
    process.stderr.write(`unknown projection(s): ${unknown.join(', ')}\n${USAGE}\n`);
    return 2;
  }
  const projections = READ_MODEL_PROJECTIONS.filter(
    (p) => names.length === 0 || names.includes(p.name),
  );
  // A rebuild runs beside a serving API: the old tables keep answering until the swap.
  const opened = await openProjectorDatabase(loadConfig(), (m) => process.stderr.write(`${m}\n`), {
    shareRunning: true,
  });
  // Only for its pool: the rebuild itself takes no projection lock, it serialises with the
  // live instance on the checkpoint row.
  const projector = new Projector({
    store: opened.store,
    databaseUrl: opened.database.url,
    projections,
    // One connection holds the rebuild locks, one per projection applies its pages.
    maxConnections: projections.length + 1,
  });
  try {
    // One pass over the log for every projection named, then each is swapped in.
    let lastDraw = 0;
    const results = await rebuildProjections(projector.pool, opened.store, projections, {
      onProgress: (p) => {
        if (p.phase === 'replay' && Date.now() - lastDraw < 100) return;
        lastDraw = Date.now();
        process.stderr.write(`\r${renderProgress(p)}\x1b[K`);
      },
    });
    for (const result of results) {
      process.stderr.write(
        `\r${result.projection.padEnd(20)} rebuilt: ${result.events} events in ${(result.elapsedMs / 1000).toFixed(1)} s (${Math.round((result.events / Math.max(1, result.elapsedMs)) * 1000)} ev/s), swapped in\x1b[K\n`,
      );
    }
    return 0;
  } finally {
    await projector.stop();
    await opened.close();
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`okr: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  },
);
