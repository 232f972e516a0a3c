import { Args, ID, Resolver, Subscription } from '@nestjs/graphql';
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

/** Only the subscriber's own tenant and the cycle it asked for. */
const sameTenantAndCycle = (
  payload: { tenantId: string; cycleId: string },
  variables: CycleVariables,
  context: GraphqlContext,
): boolean =>
  context.identity !== null &&
  payload.tenantId === context.identity.tenantId &&
  payload.cycleId === variables.cycleId;

@Resolver()
export class SubscriptionsResolver {
  constructor(private readonly live: LiveUpdates) {}

  @Subscription(() => CheckInModel, {
    description: 'Every check-in recorded in this cycle from now on.',
    filter: sameTenantAndCycle,
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
    filter: sameTenantAndCycle,
    resolve: (payload: ObjectivePublished) => ObjectiveModel.from(payload.objective),
  })
  objectiveChanged(
    @Args('cycleId', { type: () => ID, description: 'The cycle to follow (a UUID).' })
    _cycleId: string,
  ) {
    return this.live.pubSub.asyncIterableIterator<ObjectivePublished>(OBJECTIVE_CHANGED);
  }
}
