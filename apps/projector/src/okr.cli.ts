import 'reflect-metadata';
import { loadConfig } from '@okr-ledger/platform';
import {
  Projector,
  READ_MODEL_PROJECTIONS,
  rebuildProjections,
  type RebuildProgress,
} from '@okr-ledger/read-models';
import { openProjectorDatabase } from './projector.database';

const USAGE = `usage: npm run okr -- rebuild [projection…]
  projections: ${READ_MODEL_PROJECTIONS.map((p) => p.name).join(', ')} (all when none named)
  connects to DATABASE_URL, else to the embedded PostgreSQL in OKR_DATA_DIR (./.okr-data),
  the running API's one if it is up`;

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
  if (command !== 'rebuild') {
    process.stderr.write(`${USAGE}\n`);
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
