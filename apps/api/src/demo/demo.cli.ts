import { migrateEventStoreAsOwner } from '@okr-ledger/event-store';
import { ConfigError, loadConfig, openDatabase } from '@okr-ledger/platform';
import {
  demoId,
  DemoPartiallyLoaded,
  loadDemoQuarter,
  type DemoSummary,
} from './demo-quarter.loader';

/**
 * `npm run demo`: loads the demo quarter into tenant `demo` of the configured database
 * (DATABASE_URL, else the embedded PostgreSQL of OKR_DATA_DIR — the running API's one if it is
 * up), then prints a summary and a replay query to try.
 */
const log = (message: string): void => {
  process.stdout.write(`${message}\n`);
};

export function describeSummary(summary: DemoSummary): string {
  const { counts, quarter, cycleId } = summary;
  const head = summary.alreadyLoaded
    ? `The demo quarter is already loaded (${quarter.name}, tenant "${summary.tenantId}"): nothing recorded.`
    : `Loaded the demo quarter ${quarter.name} into tenant "${summary.tenantId}": ` +
      `${counts.events} events — ${counts.teams} teams, ${counts.objectives} objectives, ` +
      `${counts.keyResults} key results, ${counts.checkIns} check-ins, ` +
      `${counts.redefinitions} redefinitions, ${counts.initiatives} initiatives, ` +
      `${counts.dataSources} data source sending ${counts.measurements} values.`;
  return [
    head,
    `Cycle id: ${cycleId} (${quarter.startsAt.toISOString()} – ${quarter.endsAt.toISOString()})`,
    'Replay it week by week (with a token whose org is "demo"):',
    `  query { cycleReplay(cycleId: "${cycleId}", every: WEEK) { at progress ` +
      'objectives { title progress keyResults { title targetValue currentValue progress confidence } } } }',
    'What an auditor is shown on the CRM-fed upsell key result:',
    `  query { keyResult(id: "${demoId(`${quarter.name}:key-result:upsell`)}") { title ` +
      'signals { kind summary detectedAt restsOn { position eventType } } } }',
    ...(summary.checkpoint
      ? [
          `Signed checkpoint after the close: size ${summary.checkpoint.size}, root ${summary.checkpoint.root}`,
        ]
      : []),
    `Or look at it: http://localhost:${process.env.PORT ?? '4000'}/retro/${cycleId} (sign in with organisation "demo")`,
  ].join('\n');
}

async function main(): Promise<void> {
  // When the API already serves the data folder, load through its server rather than fail.
  const config = loadConfig();
  const database = await openDatabase(config, log, { shareRunning: true });
  try {
    log(`Database: ${database.description}`);
    // The demo may be the first to open a fresh folder: the owner role creates the log.
    await migrateEventStoreAsOwner(database);
    log(
      describeSummary(await loadDemoQuarter(database.url, { signingKey: config.ledgerSigningKey })),
    );
  } finally {
    await database.stop();
  }
}

main().catch((error: unknown) => {
  const known = error instanceof ConfigError || error instanceof DemoPartiallyLoaded;
  process.stderr.write(`okr-ledger demo: ${known ? error.message : String(error)}\n`);
  process.exit(1);
});
