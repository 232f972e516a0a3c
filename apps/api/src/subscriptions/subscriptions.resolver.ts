import { Args, ID, Resolver, Subscription } from '@nestjs/graphql';
import { canSee } from '@okr-ledger/okr';
import { CheckInModel } from '../check-ins/check-in.model';
import type { GraphqlContext } from '../graphql/graphql-context';
import { ObjectiveModel } from '../objectives/objective.model';
import {
  type CheckInPublished,
  KEY_RESULT_CHECKED_IN,
  LiveUpdates,
  OBJECTIVE_CHANGED,
  type ObjectivePublished,
} from './live-updates.service';

interface CycleVariables {
  readonly cycleId: string;
}

/**
 * Only the subscriber's own tenant, the cycle it asked for, and what it may see now: an update
 * of an objective (or of a check-in of one of its key results) it may not see never reaches it.
 */
async function visibleUpdate(
  payload: CheckInPublished | ObjectivePublished,
  variables: CycleVariables,
  context: GraphqlContext,
): Promise<boolean> {
  const identity = context.identity;
  if (identity === null || payload.tenantId !== identity.tenantId) return false;
  if (payload.cycleId !== variables.cycleId) return false;
  try {
    const scope = await payload.audience.scopeOf({
      personId: identity.actorId,
      roles: identity.roles,
    });
    return canSee(scope, payload.objective);
  } catch {
    // The team tree could not be read: this update is withheld rather than shown to someone
    // who may not see it, and the subscription stays open for the next.
    return false;
  }
}

@Resolver()
export class SubscriptionsResolver {
  constructor(private readonly live: LiveUpdates) {}

  @Subscription(() => CheckInModel, {
    description: 'Every check-in recorded in this cycle from now on.',
    filter: visibleUpdate,
    resolve: (payload: CheckInPublished) => CheckInModel.from(payload.checkIn),
  })
  keyResultCheckedIn(
    @Args('cycleId', { type: () => ID, description: 'The cycle to follow (a UUID).' })
    _cycleId: string,
  ) {
    return this.live.pubSub.asyncIterableIterator<CheckInPublished>(KEY_RESULT_CHECKED_IN);
  }

  @Subscription(() => ObjectiveModel, {
    description:
      'Every objective of this cycle that is set, revised, aligned, archived, or whose key results change, from now on.',
    filter: visibleUpdate,
    resolve: (payload: ObjectivePublished) => ObjectiveModel.from(payload.objective),
  })
  objectiveChanged(
    @Args('cycleId', { type: () => ID, description: 'The cycle to follow (a UUID).' })
    _cycleId: string,
  ) {
    return this.live.pubSub.asyncIterableIterator<ObjectivePublished>(OBJECTIVE_CHANGED);
  }
}
