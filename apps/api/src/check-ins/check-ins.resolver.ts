import { Inject } from '@nestjs/common';
import { Args, Mutation, Resolver } from '@nestjs/graphql';
import type { OkrCommands } from '@okr-ledger/commands';
import type { EventStore } from '@okr-ledger/event-store';
import { keyResultStream } from '@okr-ledger/okr';
import { checkInOfEvent, type ReadModelQueries } from '@okr-ledger/read-models';
import { CurrentIdentity } from '../auth/current-identity.decorator';
import type { Identity } from '../auth/identity';
import { WriteNotYetVisibleError } from '../errors/api.errors';
import { EVENT_STORE, OKR_COMMANDS, READ_MODELS } from '../okr/okr-api.tokens';
import { OkrWrites } from '../okr/okr-writes.service';
import { CheckInKeyResultInput } from './check-in.input';
import { CheckInModel } from './check-in.model';

@Resolver(() => CheckInModel)
export class CheckInsResolver {
  constructor(
    @Inject(OKR_COMMANDS) private readonly commands: OkrCommands,
    @Inject(READ_MODELS) private readonly readModels: ReadModelQueries,
    @Inject(EVENT_STORE) private readonly store: EventStore,
    private readonly writes: OkrWrites,
  ) {}

  @Mutation(() => CheckInModel, {
    description:
      'Records a check-in. With an idempotencyKey already used for this key result it returns the first check-in and records nothing new.',
  })
  async checkInKeyResult(
    @CurrentIdentity() identity: Identity,
    @Args('input', { type: () => CheckInKeyResultInput }) input: CheckInKeyResultInput,
  ): Promise<CheckInModel> {
    const result = await this.commands.keyResults.checkIn(this.writes.actor(identity), {
      ...input,
      measuredAt: input.measuredAt?.toISOString() ?? null,
    });
    const write = { id: result.checkInId, version: result.version, position: result.position };
    await this.writes.settle(identity.tenantId, 'CheckIn', write);
    const [checkIn] = await this.readModels.checkIns.byIds(identity.tenantId, [result.checkInId]);
    if (checkIn) return CheckInModel.from(checkIn);
    // Not projected in time: the check-in as its event recorded it (check-ins never change).
    const events = await this.store.readStream(keyResultStream(input.keyResultId));
    const recorded = events.find(
      (e) =>
        e.type === 'KeyResultCheckedIn' &&
        e.metadata.tenantId === identity.tenantId &&
        e.data.checkInId === result.checkInId,
    );
    if (!recorded) throw new WriteNotYetVisibleError('CheckIn', write);
    return CheckInModel.from(checkInOfEvent(recorded, input.keyResultId));
  }
}
