import { Inject } from '@nestjs/common';
import { Args, Mutation, Resolver } from '@nestjs/graphql';
import type { OkrCommands } from '@okr-ledger/commands';
import type { ReadModelQueries } from '@okr-ledger/read-models';
import { CurrentIdentity } from '../auth/current-identity.decorator';
import type { Identity } from '../auth/identity';
import { found } from '../okr/lookups';
import { OKR_COMMANDS, READ_MODELS } from '../okr/okr-api.tokens';
import { OkrWrites } from '../okr/okr-writes.service';
import { CheckInKeyResultInput } from './check-in.input';
import { CheckInModel } from './check-in.model';

@Resolver(() => CheckInModel)
export class CheckInsResolver {
  constructor(
    @Inject(OKR_COMMANDS) private readonly commands: OkrCommands,
    @Inject(READ_MODELS) private readonly readModels: ReadModelQueries,
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
      keyResultId: input.keyResultId,
      value: input.value,
      confidence: input.confidence ?? null,
      plan: input.plan ?? null,
      progress: input.progress ?? null,
      problems: input.problems ?? null,
      source: input.source ?? 'MANUAL',
      idempotencyKey: input.idempotencyKey ?? null,
    });
    await this.writes.settle(result.position);
    const [checkIn] = await this.readModels.checkIns.byIds(identity.tenantId, [result.checkInId]);
    return CheckInModel.from(found(checkIn, 'CheckIn', result.checkInId));
  }
}
