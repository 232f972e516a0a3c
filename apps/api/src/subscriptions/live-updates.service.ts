import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnModuleDestroy,
} from '@nestjs/common';
import type { EventStore, RecordedEvent, Subscription } from '@okr-ledger/event-store';
import {
  visibilityScope,
  type TeamMembership,
  type Viewer,
  type VisibilityScope,
} from '@okr-ledger/okr';
import type {
  CheckInView,
  ObjectiveView,
  ProjectionProgress,
  ReadModelQueries,
} from '@okr-ledger/read-models';
import { PubSub } from 'graphql-subscriptions';
import { EVENT_STORE, PROJECTION_PROGRESS, READ_MODELS } from '../okr/okr-api.tokens';

export const KEY_RESULT_CHECKED_IN = 'keyResultCheckedIn';
export const OBJECTIVE_CHANGED = 'objectiveChanged';

/** The scopes of the subscribers to one batch's updates (ADR 0017). */
export interface Audience {
  scopeOf(viewer: Viewer): Promise<VisibilityScope>;
}

export interface CheckInPublished {
  readonly tenantId: string;
  readonly cycleId: string;
  readonly checkIn: CheckInView;
  /** Its key result's objective: who may see it may see the check-in. */
  readonly objective: ObjectiveView;
  readonly audience: Audience;
}

export interface ObjectivePublished {
  readonly tenantId: string;
  readonly cycleId: string;
  readonly objective: ObjectiveView;
  readonly audience: Audience;
}

const OBJECTIVE_EVENTS = [
  'ObjectiveSet',
  'ObjectiveRevised',
  'ObjectiveAligned',
  'ObjectiveArchived',
  // Who may see it changed: those who now may hear of it (and see `visibility` move).
  'ObjectiveVisibilityChanged',
  'ObjectiveShared',
  'ObjectiveUnshared',
];
// Each of these changes an objective's progress or key results, so its subscribers hear of it.
const KEY_RESULT_EVENTS = [
  'KeyResultAdded',
  'KeyResultRedefined',
  'KeyResultCheckedIn',
  'KeyResultGraduated',
];
/** How long to wait for the projections before publishing what they hold. */
const PROJECTION_WAIT_MS = 5000;

/**
 * Feeds the GraphQL subscriptions of this instance. Each instance follows the event log
 * itself (the Postgres store wakes it through LISTEN/NOTIFY), so a write through any
 * instance reaches subscribers on every instance. Views are read after the projections pass
 * the event, so a subscriber sees what a query would.
 */
@Injectable()
export class LiveUpdates implements OnApplicationBootstrap, OnModuleDestroy {
  readonly pubSub = new PubSub();
  private readonly logger = new Logger('LiveUpdates');
  private subscription: Subscription | null = null;
  private stopped = false;
  /** The last checkpoint handled: a new subscription resumes there, missing nothing. */
  private position: string | null = null;

  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(READ_MODELS) private readonly readModels: ReadModelQueries,
    @Inject(PROJECTION_PROGRESS) private readonly progress: ProjectionProgress,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    // Started before the API serves when the store answers, so no early event is missed; an
    // unreachable store must not keep the API from serving reads, so it is retried meanwhile.
    try {
      await this.follow();
    } catch (error) {
      this.logger.warn(`Live updates wait for the event store: ${String(error)}`);
      void this.retry();
    }
  }

  async onModuleDestroy(): Promise<void> {
    this.stopped = true;
    await this.subscription?.stop();
    this.subscription = null;
  }

  /** Live only: a subscriber hears of what happens after it subscribed, not the past. */
  private async follow(): Promise<void> {
    const from = this.position ?? (await this.store.headPosition());
    if (this.stopped) return;
    this.position = from;
    this.subscription = this.store.subscribe({
      from,
      eventTypes: [...OBJECTIVE_EVENTS, ...KEY_RESULT_EVENTS],
      handler: async (batch, checkpoint) => {
        await this.publish(batch);
        this.position = checkpoint;
      },
    });
    // The store reconnects after a dropped connection itself; should the subscription still
    // end, follow again from the last position with back-off rather than stop for good.
    this.subscription.done.catch((error: unknown) => {
      this.logger.error(`The live-updates subscription stopped: ${String(error)}`);
      if (!this.stopped) void this.retry();
    });
  }

  private async retry(): Promise<void> {
    for (let attempt = 1; !this.stopped; attempt++) {
      // Unref'd: a pending retry never keeps a stopping process alive.
      await new Promise((resolve) =>
        setTimeout(resolve, Math.min(30_000, 500 * 2 ** attempt)).unref(),
      );
      if (this.stopped) return;
      try {
        await this.follow();
        this.logger.log('Live updates follow the event store again');
        return;
      } catch {
        // Still unreachable: try again later.
      }
    }
  }

  private async publish(batch: readonly RecordedEvent[]): Promise<void> {
    const last = batch.at(-1);
    if (!last) return;
    try {
      if (!(await this.progress.waitForPosition(last.position, PROJECTION_WAIT_MS))) {
        this.logger.warn(`Projections did not reach ${last.position}; publishing what they hold`);
      }
      // One query per kind and tenant for the whole batch, however many events it holds.
      for (const [tenantId, events] of groupBy(batch, (e) => e.metadata.tenantId)) {
        await this.publishTenant(tenantId, events);
      }
    } catch (error) {
      // A failed notification must not stop the feed: subscribers miss one update, not all.
      this.logger.error(`Publishing live updates failed: ${String(error)}`);
    }
  }

  private async publishTenant(tenantId: string, events: readonly RecordedEvent[]): Promise<void> {
    const checkInIds = events
      .filter((e) => e.type === 'KeyResultCheckedIn')
      .map((e) => String(e.data.checkInId));
    const objectiveIds = new Set<string>();
    const keyResultIds = new Set<string>();
    for (const event of events) {
      if (OBJECTIVE_EVENTS.includes(event.type) || event.type === 'KeyResultAdded') {
        objectiveIds.add(String(event.data.objectiveId));
      } else {
        keyResultIds.add(String(event.data.keyResultId));
      }
    }
    const objectiveOfKeyResult = new Map<string, string>();
    if (keyResultIds.size > 0) {
      for (const k of await this.readModels.keyResults.byIds(tenantId, [...keyResultIds])) {
        objectiveIds.add(k.objectiveId);
        objectiveOfKeyResult.set(k.id, k.objectiveId);
      }
    }
    const objectives =
      objectiveIds.size > 0
        ? await this.readModels.objectives.byIds(tenantId, [...objectiveIds])
        : [];
    const objectiveById = new Map(objectives.map((o) => [o.id, o]));
    const audience = this.audience(tenantId);

    const checkIns = checkInIds.length
      ? await this.readModels.checkIns.byIds(tenantId, checkInIds)
      : [];
    const byId = new Map(checkIns.map((c) => [c.id, c]));
    for (const id of checkInIds) {
      const checkIn = byId.get(id);
      const objective = objectiveById.get(
        objectiveOfKeyResult.get(checkIn?.keyResultId ?? '') ?? '',
      );
      // A check-in is visible exactly when its key result's objective is.
      if (!checkIn || !objective) continue;
      await this.pubSub.publish(KEY_RESULT_CHECKED_IN, {
        tenantId,
        cycleId: checkIn.cycleId,
        checkIn,
        objective,
        audience,
      } satisfies CheckInPublished);
    }
    for (const objective of objectives) {
      await this.pubSub.publish(OBJECTIVE_CHANGED, {
        tenantId,
        cycleId: objective.cycleId,
        objective,
        audience,
      } satisfies ObjectivePublished);
    }
  }

  /**
   * Who may see what in this tenant, shared by every subscriber of one batch: the team tree
   * with its members is read once, on the first subscriber's check (none, no query), and each
   * subscriber's scope is computed from it in memory.
   */
  private audience(tenantId: string): Audience {
    let teams: Promise<TeamMembership[]> | null = null;
    const scopes = new Map<string, Promise<VisibilityScope>>();
    return {
      scopeOf: (viewer) => {
        const key = `${viewer.personId}\u0000${[...viewer.roles].sort().join(',')}`;
        let scope = scopes.get(key);
        if (!scope) {
          teams ??= this.readModels.teams.memberships(tenantId, null);
          scope = teams.then((t) => visibilityScope(viewer, t));
          scopes.set(key, scope);
        }
        return scope;
      },
    };
  }
}

function groupBy<T>(items: readonly T[], keyOf: (item: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const key = keyOf(item);
    const group = groups.get(key);
    if (group) group.push(item);
    else groups.set(key, [item]);
  }
  return groups;
}
