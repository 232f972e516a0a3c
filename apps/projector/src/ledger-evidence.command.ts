import { resolve } from 'node:path';
import {
  PostgresEventStore,
  PostgresLedger,
  isRedacted,
  redactEvents,
  verifyBundle,
  writeBundle,
  type AuditCsvRow,
  type BundleReader,
  type LedgerEvent,
} from '@okr-ledger/event-store';
import { visibilityScope, type VisibilityScope } from '@okr-ledger/okr';
import { loadConfig } from '@okr-ledger/platform';
import {
  READ_MODELS_SCHEMA,
  ReadModels,
  visibleAuditEntrySql,
  visibleObjectiveSql,
  withoutHiddenParents,
} from '@okr-ledger/read-models';
import type { Pool } from 'pg';
import { openProjectorDatabase } from './projector.database';

export const LEDGER_USAGE = `       npm run okr -- export --org <org> [--cycle <id>] [--as <person> [--role <role>]] --out <dir>
       npm run okr -- verify <dir> [--trusted-checkpoint <file>]
  export: signs a checkpoint of the organisation's log now and writes the evidence bundle
    (events.ndjson, audit-trail.csv (of the cycle, when given), checkpoint.json,
    public-key.pem, manifest.json) to <dir>; with --as, only what that person (a token's sub,
    with --role MEMBER by default, or ADMIN / AUDITOR) may see: the others' events redacted
    (their hashes kept, so the bundle still verifies), their audit rows left out
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
  const parsed = parseArgs(args, ['--org', '--cycle', '--out', '--as', '--role']);
  const org = parsed?.flags.get('--org');
  const out = parsed?.flags.get('--out');
  if (!parsed || !org || !out || parsed.rest.length > 0)
    return usage('export needs --org and --out');
  const cycle = parsed.flags.get('--cycle') ?? null;
  const personId = parsed.flags.get('--as');
  const role = parsed.flags.get('--role') ?? 'MEMBER';
  if (!READER_ROLES.includes(role)) return usage('--role is ADMIN, MEMBER or AUDITOR');
  if (parsed.flags.has('--role') && !personId) return usage('--role goes with --as');
  const reader: BundleReader | null = personId ? { personId, roles: [role] } : null;
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
    const scope = reader ? await scopeOf(store.pool, org, reader) : null;
    const values: unknown[] = [org, checkpoint.position, cycle];
    const visible = scope ? `AND ${visibleAuditEntrySql(scope, values)}` : '';
    const { rows } = await store.pool.query<AuditRow>(
      `SELECT position, occurred_at, actor_id, aggregate_type, aggregate_id, event_type, changes,
              reason, source, during_active_cycle
         FROM ${READ_MODELS_SCHEMA}.audit_entries
        WHERE tenant_id = $1 AND position <= $2 AND ($3::text IS NULL OR cycle_id = $3) ${visible}
        ORDER BY position`,
      values,
    );
    const bundleEvents = scope
      ? redactEvents(events, await shownTo(store.pool, org, checkpoint.position, scope))
      : events;
    const parents = scope ? await visibleNow(store.pool, org, scope) : null;
    const auditRows: AuditCsvRow[] = rows.flatMap((r) =>
      (parents ? withoutHiddenParents(r, parents) : r).changes.map((c) => ({
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
        events: bundleEvents,
        auditRows,
        checkpoint,
        redactedFor: reader,
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
    const redacted = bundleEvents.filter(isRedacted).length;
    process.stdout.write(
      `exported ${events.length} events${reader ? ` (${redacted} redacted for ${reader.personId})` : ''} and ${auditRows.length} audit rows of ${org} to ${dir}\n` +
        `checkpoint: size ${checkpoint.size}, root ${checkpoint.root}, signed at ${checkpoint.at} by key ${checkpoint.keyFingerprint}\n`,
    );
    return 0;
  } finally {
    await opened.close();
  }
}

const READER_ROLES: readonly string[] = ['ADMIN', 'MEMBER', 'AUDITOR'];

/** The reader's scope (libs/okr's visibilityScope) over the teams as the read models hold them now. */
async function scopeOf(pool: Pool, org: string, reader: BundleReader): Promise<VisibilityScope> {
  const readModels = new ReadModels({
    query: async <T>(text: string, parameters?: unknown[]) =>
      (await pool.query(text, parameters)).rows as T,
  });
  return visibilityScope(reader, await readModels.teams.memberships(org, reader.personId));
}

/**
 * Which events the reader's bundle shows: every event about no objective (teams, cycles), and
 * an objective's or key result's only when its audit entry is one the scope may see (as the
 * event left it and now, ADR 0017). One not projected into the audit trail yet is not shown.
 */
async function shownTo(
  pool: Pool,
  org: string,
  upTo: string,
  scope: VisibilityScope,
): Promise<(event: LedgerEvent) => boolean> {
  const values: unknown[] = [org, upTo];
  const { rows } = await pool.query<{ position: string }>(
    `SELECT position FROM ${READ_MODELS_SCHEMA}.audit_entries
      WHERE tenant_id = $1 AND position <= $2 AND ${visibleAuditEntrySql(scope, values)}`,
    values,
  );
  const visible = new Set(rows.map((r) => r.position));
  return (event) =>
    !(event.stream.startsWith('objective-') || event.stream.startsWith('key-result-')) ||
    visible.has(event.position);
}

/** The objectives and key results the reader may see now: the parents its rows may name. */
async function visibleNow(
  pool: Pool,
  org: string,
  scope: VisibilityScope,
): Promise<{ objective: (id: string) => boolean; keyResult: (id: string) => boolean }> {
  const values: unknown[] = [org];
  const { rows: objectives } = await pool.query<{ objective_id: string }>(
    `SELECT a.objective_id FROM ${READ_MODELS_SCHEMA}.audit_objective_access a
      WHERE a.tenant_id = $1 AND ${visibleObjectiveSql(scope, values, 'a')}`,
    values,
  );
  const shown = new Set(objectives.map((r) => r.objective_id));
  const { rows: keyResults } = await pool.query<{ key_result_id: string }>(
    `SELECT key_result_id FROM ${READ_MODELS_SCHEMA}.audit_key_result_states
      WHERE tenant_id = $1 AND objective_id = ANY($2::text[])`,
    [org, [...shown]],
  );
  const shownKeyResults = new Set(keyResults.map((r) => r.key_result_id));
  return { objective: (id) => shown.has(id), keyResult: (id) => shownKeyResults.has(id) };
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
