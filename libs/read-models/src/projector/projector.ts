import { randomUUID } from 'node:crypto';
import type { EventStore, RecordedEvent, Subscription } from '@okr-ledger/event-store';
import { canCountEvents, WakeUps } from '@okr-ledger/event-store';
import { Client, Pool } from 'pg';
import type { ProjectionLag, ProjectionProgress, ProjectionStall } from '../read-models.views';
import {
  applyBatch,
  CHECKPOINT_CHANNEL,
  ensureCheckpoint,
  ProjectionLockLost,
  ProjectionVersionChanged,
  PROJECTOR_LOCK_SPACE,
  readCheckpoints,
} from './checkpoints';
import type { Projection } from './projection.port';
import { rebuildProjection } from './rebuild';
import { retryStalls } from './retry-stalls';
import { publicStall, readStalls, type StoredStall } from './stalls';

/** Nest's Logger fits; the default writes to stderr. */
export interface ProjectorLogger {
  log(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

export interface ProjectorOptions {
  readonly store: EventStore;
  /** The PostgreSQL holding the read models. */
  readonly databaseUrl: string;
  readonly projections: readonly Projection[];
  /** Events per transaction while live; 500 by default. */
  readonly batchSize?: number;
  /** How often a waiting instance tries to take a projection over; 1000 ms by default. */
  readonly lockRetryMs?: number;
  /** A projection further behind than this is logged; 5000 ms by default. */
  readonly lagWarnMs?: number;
  /** Shows in pg_stat_activity as the lock connection's application name. */
  readonly instanceName?: string;
  readonly logger?: ProjectorLogger;
  /** Pool size for the batches (one more connection holds the locks); 4 by default. */
  readonly maxConnections?: number;
  /**
   * How many projections' batches apply at once; 2 by default: more made them compete for
   * the database's CPU and cost it more per batch (measured on 2 cores, ADR 0009 round 4).
   */
  readonly concurrentBatches?: number;
}

const stderrLogger: ProjectorLogger = {
  log: (m) => process.stderr.write(`[projector] ${m}\n`),
  warn: (m) => process.stderr.write(`[projector] WARN ${m}\n`),
  error: (m) => process.stderr.write(`[projector] ERROR ${m}\n`),
};

// Bounds lag()'s count so /health stays cheap however far behind a projection is.
const LAG_COUNT_CAP = 10_000;
// waitForPosition re-reads other instances' checkpoints this often when no NOTIFY arrives.
const REMOTE_POLL_MS = 250;
// stalls() is asked on every mutation: projections run elsewhere are re-read at most this often.
const REMOTE_STALLS_TTL_MS = 1000;

class Runner {
  active = false;
  starting = false;
  subscription: Subscription | null = null;
  lastWarnAt = 0;
  /** Stored versions its batches may write: its own, and the old one during a start-up rebuild. */
  versions: readonly number[];
  /** A start-up rebuild in progress beside the live batches. */
  rebuilding: Promise<void> | null = null;
  /** The stored tables are newer than this code: it never runs the projection again. */
  retired = false;
  constructor(readonly projection: Projection) {
    this.versions = [projection.version];
  }
}

/**
 * Runs projections: for each one, the instance holding its advisory lock subscribes to the
 * log and commits batches with their checkpoint; other instances wait and retry, and take
 * over within `lockRetryMs` once the holder's lock connection is gone.
 */
export class Projector implements ProjectionProgress {
  readonly pool: Pool;
  private readonly runners: Runner[];
  private readonly logger: ProjectorLogger;
  private readonly batchSize: number;
  private readonly lockRetryMs: number;
  private readonly lagWarnMs: number;
  private readonly checkpoints = new Map<string, string>();
  private lockClient: Client | null = null;
  /** Backend pid of the lock session: each batch checks that it still holds the lock. */
  private lockPid: number | null = null;
  /** Moves whenever the lock session is replaced or lost, so an activation can tell. */
  private lockEpoch = 0;
  private timer: NodeJS.Timeout | null = null;
  private ticking: Promise<void> | null = null;
  private running = false;
  /** Wakes waitForPosition when a checkpoint moves (the same mechanism as subscriptions). */
  private readonly wakeUps = new WakeUps();
  /** The payload of its batches' NOTIFYs, which its own lock session ignores. */
  private readonly notifyPayload = randomUUID();
  /** Stalls of the projections this instance runs, kept fresh by every batch: projection → tenant → stall. */
  private readonly localStalls = new Map<string, Map<string, StoredStall>>();
  /** Counts batches that set localStalls, so that an older read of the table does not undo them. */
  private readonly localStallsSet = new Map<string, number>();
  private remoteStalls: { readonly at: number; readonly stalls: readonly StoredStall[] } | null =
    null;
  private remoteStallsLoading: Promise<readonly StoredStall[]> | null = null;
  private readonly concurrentBatches: number;
  /** Batches applying now, and those waiting for a turn (see inTurn). */
  private applying = 0;
  private readonly waitingBatches: (() => void)[] = [];

  constructor(private readonly options: ProjectorOptions) {
    this.pool = new Pool({
      connectionString: options.databaseUrl,
      max: options.maxConnections ?? 4,
      application_name: `okr-ledger-projector:${options.instanceName ?? process.pid}`,
    });
    // A dead idle connection must not crash the process; the next batch reconnects.
    this.pool.on('error', () => undefined);
    this.runners = options.projections.map((p) => new Runner(p));
    this.logger = options.logger ?? stderrLogger;
    this.batchSize = options.batchSize ?? 500;
    this.lockRetryMs = options.lockRetryMs ?? 1000;
    this.lagWarnMs = options.lagWarnMs ?? 5000;
    this.concurrentBatches = options.concurrentBatches ?? 2;
  }

  get projections(): readonly Projection[] {
    return this.options.projections;
  }

  /** Whether this instance currently runs the projection (holds its lock). */
  isActive(name: string): boolean {
    return this.runners.some((r) => r.projection.name === name && r.active);
  }

  /** Resolves once the start-up rebuilds running now (a version change) have swapped in. */
  async rebuilt(): Promise<void> {
    await Promise.all(this.runners.map((r) => r.rebuilding ?? Promise.resolve()));
  }

  /** Takes whatever locks are free now and keeps trying for the others in the background. */
  async start(): Promise<void> {
    if (this.running) return;
    this.running = true;
    await this.tick();
    this.timer = setInterval(() => void this.tick(), this.lockRetryMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    this.running = false;
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.ticking?.catch(() => undefined);
    // Sequential: the unlocks share the one lock connection.
    for (const runner of this.runners) await this.deactivate(runner);
    // A start-up rebuild has no way to stop early; the pool cannot end under it.
    await this.rebuilt();
    const lock = this.lockClient;
    this.lockClient = null;
    // Closing the session releases every advisory lock it holds.
    await lock?.end().catch(() => undefined);
    this.wakeUps.wake();
    await this.pool.end().catch(() => undefined);
  }

  async waitForPosition(position: string, timeoutMs: number): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const seen = this.wakeUps.current;
      if (this.allAtLeast(position)) return true;
      // Projections run by another instance: read their checkpoints (a NOTIFY also wakes us).
      if (this.runners.some((r) => !r.active)) {
        await this.refreshCheckpoints().catch(() => undefined);
        if (this.allAtLeast(position)) return true;
      }
      const remaining = deadline - Date.now();
      if (remaining <= 0) return false;
      await this.wakeUps.wait(seen, Math.min(remaining, REMOTE_POLL_MS));
    }
  }

  async lag(): Promise<readonly ProjectionLag[]> {
    if (this.runners.some((r) => !r.active)) await this.refreshCheckpoints().catch(() => undefined);
    const now = Date.now();
    return Promise.all(
      this.runners.map(async ({ projection }) => {
        const checkpoint = this.checkpoints.get(projection.name) ?? '';
        const { count, oldest } = checkpoint
          ? await this.behind(checkpoint, projection.eventTypes)
          : { count: 0, oldest: null };
        return {
          projection: projection.name,
          checkpoint,
          eventsBehind: count,
          millisecondsBehind: oldest === null ? 0 : Math.max(0, now - oldest.getTime()),
        };
      }),
    );
  }

  async stalls(tenantId: string): Promise<readonly ProjectionStall[]> {
    const found: ProjectionStall[] = [];
    const remote = this.runners.some((r) => !r.active) ? await this.remoteStallsCached() : [];
    for (const runner of this.runners) {
      const name = runner.projection.name;
      const stall = runner.active
        ? this.localStalls.get(name)?.get(tenantId)
        : remote.find((s) => s.projection === name && s.tenantId === tenantId);
      if (stall) found.push(publicStall(stall));
    }
    return found;
  }

  /** Every stall of these projections, for /health: read from the table, not cached. */
  async allStalls(): Promise<readonly ProjectionStall[]> {
    const names = new Set(this.runners.map((r) => r.projection.name));
    return (await readStalls(this.pool)).filter((s) => names.has(s.projection)).map(publicStall);
  }

  /** Every stall in the table, re-read at most once per REMOTE_STALLS_TTL_MS. */
  private async remoteStallsCached(): Promise<readonly StoredStall[]> {
    const cached = this.remoteStalls;
    if (cached && Date.now() - cached.at < REMOTE_STALLS_TTL_MS) return cached.stalls;
    this.remoteStallsLoading ??= readStalls(this.pool)
      .then((stalls) => {
        this.remoteStalls = { at: Date.now(), stalls };
        return stalls;
      })
      // Unknown is not stalled: a write must not fail because this read did.
      .catch(() => cached?.stalls ?? [])
      .finally(() => {
        this.remoteStallsLoading = null;
      });
    return this.remoteStallsLoading;
  }

  /** Events after the checkpoint (capped) and when the oldest of them was recorded. */
  private async behind(
    checkpoint: string,
    eventTypes: readonly string[],
  ): Promise<{ count: number; oldest: Date | null }> {
    const { store } = this.options;
    if (canCountEvents(store)) {
      const behind = await store.countEvents({ after: checkpoint, eventTypes, cap: LAG_COUNT_CAP });
      return { count: behind.count, oldest: behind.oldestRecordedAt };
    }
    const page = await store.readAll({
      after: checkpoint,
      limit: 1000,
      eventTypes: [...eventTypes],
    });
    return { count: page.events.length, oldest: page.events[0]?.recordedAt ?? null };
  }

  private allAtLeast(position: string): boolean {
    return this.runners.every((r) => (this.checkpoints.get(r.projection.name) ?? '') >= position);
  }

  private async refreshCheckpoints(): Promise<void> {
    const stored = await readCheckpoints(this.pool);
    let moved = false;
    for (const [name, position] of stored) {
      if (position > (this.checkpoints.get(name) ?? '')) {
        this.checkpoints.set(name, position);
        moved = true;
      }
    }
    if (moved) this.wakeUps.wake();
  }

  private tick(): Promise<void> {
    // One pass at a time: a slow connect must not stack up passes.
    this.ticking ??= this.acquireFreeLocks().finally(() => {
      this.ticking = null;
    });
    return this.ticking;
  }

  private async acquireFreeLocks(): Promise<void> {
    if (!this.running) return;
    // A retry elsewhere (the CLI) may have cleared a stall while no batch came.
    await this.refreshLocalStalls().catch(() => undefined);
    try {
      const lock = this.lockClient ?? (await this.connectLockClient());
      for (const runner of this.runners) {
        if (runner.active || runner.starting || runner.retired || !this.running) continue;
        const { rows } = await lock.query<{ locked: boolean }>(
          'SELECT pg_try_advisory_lock($1, hashtext($2)) AS locked',
          [PROJECTOR_LOCK_SPACE, runner.projection.name],
        );
        if (rows[0]?.locked) await this.activate(runner);
      }
    } catch (error) {
      this.logger.warn(`taking projection locks failed, retrying: ${describe(error)}`);
    }
  }

  private async connectLockClient(): Promise<Client> {
    const client = new Client({
      connectionString: this.options.databaseUrl,
      application_name: `okr-ledger-projector-lock:${this.options.instanceName ?? process.pid}`,
    });
    const lost = (): void => this.onLockConnectionLost(client);
    client.on('error', lost);
    client.on('end', lost);
    client.on('notification', ({ payload }) => {
      // Its own batches set checkpoints and stalls already; a retry's NOTIFY has no payload.
      if (payload === this.notifyPayload) return;
      void this.refreshCheckpoints().catch(() => undefined);
      void this.refreshLocalStalls().catch(() => undefined);
    });
    await client.connect();
    await client.query(`LISTEN ${CHECKPOINT_CHANNEL}`);
    const { rows } = await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
    this.lockPid = rows[0]?.pid ?? null;
    this.lockEpoch++;
    this.lockClient = client;
    return client;
  }

  /** Every lock died with the session: stop writing at once, another instance may take over. */
  private onLockConnectionLost(client: Client): void {
    if (this.lockClient !== client) return;
    this.lockClient = null;
    this.lockPid = null;
    this.lockEpoch++;
    if (this.running) this.logger.warn('lock connection lost: pausing every projection');
    for (const runner of this.runners) void this.deactivate(runner);
  }

  private async activate(runner: Runner): Promise<void> {
    runner.starting = true;
    const { projection } = runner;
    // The lock was taken on this session: if it is lost while starting, do not start.
    const epoch = this.lockEpoch;
    const stillLocked = (): boolean =>
      this.running && this.lockClient !== null && this.lockEpoch === epoch;
    try {
      const stored = await ensureCheckpoint(this.pool, projection);
      if (stored.version > projection.version) {
        // Newer code swapped its tables in: this older code must not write (nor rebuild) them.
        runner.retired = true;
        this.logger.error(
          `${projection.name}: the tables are version ${stored.version}, this code writes ${projection.version}: not running it`,
        );
        await this.unlock(projection);
        return;
      }
      await this.refreshLocalStalls([runner]).catch(() => undefined);
      // Nothing may be awaited between this check and `active`.
      if (!stillLocked()) {
        this.logger.warn(`${projection.name}: lost its lock while starting; not started`);
        return;
      }
      const rebuild = stored.version < projection.version;
      runner.versions = rebuild ? [stored.version, projection.version] : [projection.version];
      this.advance(projection.name, stored.position);
      runner.active = true;
      this.subscribe(runner, stored.position);
      this.logger.log(`${projection.name}: active from ${stored.position}`);
      if (rebuild) {
        runner.rebuilding = this.rebuildBesideLive(runner, stored.version);
      } else {
        void this.retryOnStart(runner);
      }
    } catch (error) {
      this.logger.error(`${projection.name}: could not start: ${describe(error)}`);
      if (stillLocked()) await this.unlock(projection);
    } finally {
      runner.starting = false;
    }
  }

  /**
   * A version change: the live batches keep applying to the old tables (with this code) while
   * the log is replayed into shadow tables, which the swap then puts in their place (ADR 0004).
   */
  private async rebuildBesideLive(runner: Runner, from: number): Promise<void> {
    const { projection } = runner;
    this.logger.log(`${projection.name}: version ${from} → ${projection.version}, rebuilding`);
    try {
      const result = await rebuildProjection(this.pool, this.options.store, projection);
      runner.versions = [projection.version];
      this.logger.log(
        `${projection.name}: rebuilt from ${result.events} events in ${result.elapsedMs} ms`,
      );
      await this.refreshLocalStalls([runner]);
    } catch (error) {
      this.logger.error(`${projection.name}: rebuild failed, retrying: ${describe(error)}`);
      // Let the next tick take the lock again and start over.
      if (runner.active) await this.deactivate(runner);
    } finally {
      runner.rebuilding = null;
    }
  }

  /** Stalls left by an earlier run get one retry with this code (the fix may be in it). */
  private async retryOnStart(runner: Runner): Promise<void> {
    const { projection } = runner;
    if (!(this.localStalls.get(projection.name)?.size ?? 0)) return;
    try {
      const outcomes = await retryStalls(this.pool, this.options.store, projection);
      for (const o of outcomes) {
        if (o.failure) {
          this.logger.error(
            `${projection.name}: tenant ${o.tenantId} still stalled at ${o.failure.position}: ${o.failure.error}`,
          );
        } else {
          this.logger.log(`${projection.name}: tenant ${o.tenantId} resumed (${o.applied} events)`);
        }
      }
      await this.refreshLocalStalls([runner]);
    } catch (error) {
      this.logger.warn(`${projection.name}: retrying stalls failed: ${describe(error)}`);
    }
  }

  /** Re-reads the stall rows of the projections this instance runs. */
  private async refreshLocalStalls(runners = this.runners.filter((r) => r.active)): Promise<void> {
    if (runners.length === 0) return;
    const started = new Map(runners.map((r) => [r, this.localStallsSet.get(r.projection.name)]));
    const stalls = await readStalls(this.pool);
    for (const runner of runners) {
      // A batch that committed meanwhile knows better than this read.
      if (this.localStallsSet.get(runner.projection.name) !== started.get(runner)) continue;
      this.setLocalStalls(
        runner.projection.name,
        stalls.filter((s) => s.projection === runner.projection.name),
        false,
      );
    }
  }

  private setLocalStalls(name: string, stalls: readonly StoredStall[], fromBatch = true): void {
    if (fromBatch) this.localStallsSet.set(name, (this.localStallsSet.get(name) ?? 0) + 1);
    this.localStalls.set(name, new Map(stalls.map((s) => [s.tenantId, s])));
  }

  private subscribe(runner: Runner, from: string): void {
    const { projection } = runner;
    const subscription = this.options.store.subscribe({
      from,
      eventTypes: [...projection.eventTypes],
      batchSize: this.batchSize,
      handler: (events, checkpoint) => this.commit(runner, events, checkpoint),
    });
    runner.subscription = subscription;
    subscription.done.then(
      () => undefined,
      async (error: unknown) => {
        if (runner.subscription !== subscription) return;
        runner.subscription = null;
        if (error instanceof ProjectionLockLost || error instanceof ProjectionVersionChanged) {
          // Not this instance's to write any more: stop; a tick may take it up again
          // (and rebuild, when the stored version is older).
          this.logger.error(`${error.message}; stopping`);
          if (error instanceof ProjectionVersionChanged && error.stored > error.running) {
            runner.retired = true;
          }
          await this.deactivate(runner);
          return;
        }
        this.logger.error(`${projection.name}: batch failed, retrying: ${describe(error)}`);
        await delay(this.lockRetryMs);
        if (!runner.active || runner.subscription !== null) return;
        // Resume from what is committed: the failed batch left nothing behind.
        const stored = await ensureCheckpoint(this.pool, projection).catch(() => null);
        if (stored && runner.active && runner.subscription === null) {
          this.subscribe(runner, stored.position);
        }
      },
    );
  }

  private async commit(runner: Runner, events: RecordedEvent[], checkpoint: string): Promise<void> {
    const result = await this.inTurn(async () =>
      runner.active
        ? applyBatch(this.pool, runner.projection, events, checkpoint, {
            versions: runner.versions,
            // No session, no lock: the batch is refused (ProjectionLockLost).
            lockPid: this.lockPid ?? -1,
            // Wakes other processes' waitForPosition, delivered at commit.
            notify: this.notifyPayload,
          })
        : null,
    );
    if (!result) return;
    const { projection } = runner;
    this.setLocalStalls(projection.name, result.stalls);
    for (const stall of result.newStalls) {
      this.logger.error(
        `${projection.name}: stalled for tenant ${stall.tenantId} at ${stall.position} (${stall.eventType} ${stall.eventId} in ${stall.streamName}): ${stall.error}`,
      );
    }
    this.advance(projection.name, result.checkpoint);
    const last = events[events.length - 1];
    const behindMs = last ? Date.now() - last.recordedAt.getTime() : 0;
    if (behindMs > this.lagWarnMs && Date.now() - runner.lastWarnAt > 10_000) {
      runner.lastWarnAt = Date.now();
      this.logger.warn(`${projection.name}: ${behindMs} ms behind the log`);
    }
  }

  /** Runs `work` once fewer than `concurrentBatches` batches apply, in arrival order. */
  private async inTurn<T>(work: () => Promise<T>): Promise<T> {
    if (this.applying < this.concurrentBatches) this.applying++;
    // The slot is handed over by the batch that ends.
    else await new Promise<void>((resolve) => this.waitingBatches.push(resolve));
    try {
      return await work();
    } finally {
      const next = this.waitingBatches.shift();
      if (next) next();
      else this.applying--;
    }
  }

  private advance(name: string, position: string): void {
    if (position > (this.checkpoints.get(name) ?? '')) {
      this.checkpoints.set(name, position);
      this.wakeUps.wake();
    }
  }

  private async deactivate(runner: Runner): Promise<void> {
    const wasActive = runner.active;
    runner.active = false;
    const subscription = runner.subscription;
    runner.subscription = null;
    await subscription?.stop();
    if (wasActive && this.lockClient) await this.unlock(runner.projection);
  }

  private async unlock(projection: Projection): Promise<void> {
    await this.lockClient
      ?.query('SELECT pg_advisory_unlock($1, hashtext($2))', [
        PROJECTOR_LOCK_SPACE,
        projection.name,
      ])
      .catch(() => undefined);
  }
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
