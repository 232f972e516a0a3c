import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnModuleDestroy,
} from '@nestjs/common';
import type { EventStore, RecordedEvent, Subscription } from '@okr-ledger/event-store';
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

export interface CheckInPublished {
  readonly tenantId: string;
  readonly cycleId: string;
  readonly checkIn: CheckInView;
}

export interface ObjectivePublished {
  readonly tenantId: string;
  readonly cycleId: string;
  readonly objective: ObjectiveView;
}

const OBJECTIVE_EVENTS = [
  'ObjectiveSet',
  'ObjectiveRevised',
  'ObjectiveAligned',
  'ObjectiveArchived',
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

  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(READ_MODELS) private readonly readModels: ReadModelQueries,
    @Inject(PROJECTION_PROGRESS) private readonly progress: ProjectionProgress,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    // Live only: a subscriber hears of what happens after it subscribed, not the past.
    const from = await this.store.headPosition();
    this.subscription = this.store.subscribe({
      from,
      eventTypes: [...OBJECTIVE_EVENTS, ...KEY_RESULT_EVENTS],
      handler: (batch) => this.publish(batch),
    });
    this.subscription.done.catch((error: unknown) =>
      this.logger.error(`The live-updates subscription stopped: ${String(error)}`),
    );
  }

  async onModuleDestroy(): Promise<void> {
    await this.subscription?.stop();
    this.subscription = null;
  }

  private async publish(batch: readonly RecordedEvent[]): Promise<void> {
    const last = batch.at(-1);
    if (!last) return;
    try {
      if (!(await this.progress.waitForPosition(last.position, PROJECTION_WAIT_MS))) {
        this.logger.warn(`Projections did not reach ${last.position}; publishing what they hold`);
      }
      const objectives = new Map<string, { tenantId: string; objectiveId: string }>();
      for (const event of batch) {
        const tenantId = event.metadata.tenantId;
        if (event.type === 'KeyResultCheckedIn') {
          await this.publishCheckIn(tenantId, String(event.data.checkInId));
        }
        const objectiveId = await this.objectiveOf(tenantId, event);
        if (objectiveId) objectives.set(`${tenantId}/${objectiveId}`, { tenantId, objectiveId });
      }
      for (const { tenantId, objectiveId } of objectives.values()) {
        const [objective] = await this.readModels.objectives.byIds(tenantId, [objectiveId]);
        if (!objective) continue;
        await this.pubSub.publish(OBJECTIVE_CHANGED, {
          tenantId,
          cycleId: objective.cycleId,
          objective,
        } satisfies ObjectivePublished);
      }
    } catch (error) {
      // A failed notification must not stop the feed: subscribers miss one update, not all.
      this.logger.error(`Publishing live updates failed: ${String(error)}`);
    }
  }

  private async publishCheckIn(tenantId: string, checkInId: string): Promise<void> {
    const [checkIn] = await this.readModels.checkIns.byIds(tenantId, [checkInId]);
    if (!checkIn) return;
    await this.pubSub.publish(KEY_RESULT_CHECKED_IN, {
      tenantId,
      cycleId: checkIn.cycleId,
      checkIn,
    } satisfies CheckInPublished);
  }

  private async objectiveOf(tenantId: string, event: RecordedEvent): Promise<string | null> {
    if (OBJECTIVE_EVENTS.includes(event.type)) return String(event.data.objectiveId);
    if (event.type === 'KeyResultAdded') return String(event.data.objectiveId);
    const [keyResult] = await this.readModels.keyResults.byIds(tenantId, [
      String(event.data.keyResultId),
    ]);
    return keyResult?.objectiveId ?? null;
  }
}
