import { resolve } from 'node:path';
import {
  PostgresEventStore,
  PostgresLedger,
  verifyBundle,
  writeBundle,
  type AuditCsvRow,
} from '@okr-ledger/event-store';
import { loadConfig } from '@okr-ledger/platform';
import { READ_MODELS_SCHEMA } from '@okr-ledger/read-models';
import { openProjectorDatabase } from './projector.database';

export const LEDGER_USAGE = `       npm run okr -- export --org <org> [--cycle <id>] --out <dir>
       npm run okr -- verify <dir> [--trusted-checkpoint <file>]
  export: signs a checkpoint of the organisation's log now and writes the evidence bundle
    (events.ndjson, audit-trail.csv (of the cycle, when given), checkpoint.json,
    public-key.pem, manifest.json) to <dir>
  verify: checks a bundle offline (no server, no database): every hash chain, the Merkle
    root, the signatures, the manifest and, given an earlier checkpoint.json, that nothing
    before it changed; exits 1 naming the first event, file or field that does not match`;

/** `--name value` or `--name=value` flags, plus the bare arguments. */
function parseArgs(
  args: readonly string[],
  names: readonly string[],
): { flags: Map<string, string>; rest: string[] } | null {
  const flags = new Map<string, string>();
  const rest: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] ?? '';
    if (!arg.startsWith('--')) {
      rest.push(arg);
      continue;
    }
    const [flag, inline] = arg.split(/=(.*)/s, 2) as [string, string | undefined];
    const value = inline ?? args[++i];
    if (!names.includes(flag) || value === undefined || value === '') return null;
    flags.set(flag, value);
  }
  return { flags, rest };
}

function usage(problem: string): number {
  process.stderr.write(`${problem}\nusage:\n${LEDGER_USAGE}\n`);
  return 2;
}

interface AuditRow {
  position: string;
  occurred_at: Date;
  actor_id: string;
  aggregate_type: string;
  aggregate_id: string;
  event_type: string;
  changes: { field: string; from: string | null; to: string | null }[];
  reason: string | null;
  source: string | null;
  during_active_cycle: boolean;
}

async function exportCommand(args: readonly string[]): Promise<number> {
  const parsed = parseArgs(args, ['--org', '--cycle', '--out']);
  const org = parsed?.flags.get('--org');
  const out = parsed?.flags.get('--out');
  if (!parsed || !org || !out || parsed.rest.length > 0)
    return usage('export needs --org and --out');
  const cycle = parsed.flags.get('--cycle') ?? null;
  const config = loadConfig();
  const opened = await openProjectorDatabase(config, (m) => process.stderr.write(`${m}\n`), {
    shareRunning: true,
  });
  try {
    const store = opened.store;
    if (!(store instanceof PostgresEventStore)) {
      process.stderr.write('export: only the PostgreSQL event store keeps a verifiable ledger\n');
      return 1;
    }
    if (cycle !== null) {
      const { rows: found } = await store.pool.query(
        `SELECT 1 FROM event_store.events
          WHERE stream_name = 'cycle-' || $2 AND revision = 0 AND tenant_id = $1`,
        [org, cycle],
      );
      if (found.length === 0) {
        process.stderr.write(`export: ${org} has no cycle ${cycle}\n`);
        return 1;
      }
    }
    const ledger = new PostgresLedger(store.pool, config.ledgerSigningKey);
    const checkpoint = await ledger.takeCheckpoint(org, 'requested');
    // The first `size` events in log order are the ones the checkpoint signs, whatever was
    // appended since.
    const events = await ledger.events(org, checkpoint.size);
    const { rows } = await store.pool.query<AuditRow>(
      `SELECT position, occurred_at, actor_id, aggregate_type, aggregate_id, event_type, changes,
              reason, source, during_active_cycle
         FROM ${READ_MODELS_SCHEMA}.audit_entries
        WHERE tenant_id = $1 AND position <= $2 AND ($3::text IS NULL OR cycle_id = $3)
        ORDER BY position`,
      [org, checkpoint.position, cycle],
    );
    const auditRows: AuditCsvRow[] = rows.flatMap((r) =>
      r.changes.map((c) => ({
        when: r.occurred_at.toISOString(),
        who: r.actor_id,
        aggregateType: r.aggregate_type,
        aggregateId: r.aggregate_id,
        event: r.event_type,
        position: r.position,
        field: c.field,
        before: c.from,
        after: c.to,
        reason: r.reason,
        source: r.source,
        midCycle: r.during_active_cycle,
      })),
    );
    const dir = resolve(out);
    await writeBundle(
      dir,
      {
        organisation: org,
        cycle,
        createdAt: new Date().toISOString(),
        events,
        auditRows,
        checkpoint,
      },
      config.ledgerSigningKey,
    );
    // The server signs what its kept leaves say; an event changed since an earlier checkpoint
    // makes the bundle fail to verify, and is named here.
    const changed = await ledger.firstChangedSinceSigned(org, events);
    if (changed) {
      process.stderr.write(
        `export: the log no longer holds what earlier checkpoints signed: leaf ${changed.index} (position ${changed.signedPosition}${changed.event ? `, event ${changed.event.id} in ${changed.event.stream} revision ${changed.event.revision}` : ''}) was changed, removed or reordered; the bundle in ${dir} will not verify\n`,
      );
      return 1;
    }
    process.stdout.write(
      `exported ${events.length} events and ${auditRows.length} audit rows of ${org} to ${dir}\n` +
        `checkpoint: size ${checkpoint.size}, root ${checkpoint.root}, signed at ${checkpoint.at} by key ${checkpoint.keyFingerprint}\n`,
    );
    return 0;
  } finally {
    await opened.close();
  }
}

async function verifyCommand(args: readonly string[]): Promise<number> {
  const parsed = parseArgs(args, ['--trusted-checkpoint']);
  const [dir, ...extra] = parsed?.rest ?? [];
  if (!parsed || !dir || extra.length > 0) return usage('verify needs one bundle folder');
  const trusted = parsed.flags.get('--trusted-checkpoint');
  const verdict = await verifyBundle(resolve(dir), {
    ...(trusted ? { trustedCheckpoint: resolve(trusted) } : {}),
  });
  if (!verdict.ok) {
    process.stdout.write(`NOT VERIFIED: ${verdict.problem}\n`);
    return 1;
  }
  process.stdout.write(`VERIFIED\n${verdict.summary}\n`);
  return 0;
}

/** `export` and `verify`; null for any other command. */
export function ledgerEvidenceCommand(
  command: string | undefined,
  args: readonly string[],
): Promise<number> | null {
  if (command === 'export') return exportCommand(args);
  if (command === 'verify') return verifyCommand(args);
  return null;
}
