import { Inject } from '@nestjs/common';
import { Args, Query, Resolver } from '@nestjs/graphql';
import type { TimeTravel } from '@okr-ledger/read-models';
import { CurrentIdentity } from '../auth/current-identity.decorator';
import type { Identity } from '../auth/identity';
import { NotFoundError } from '../errors/api.errors';
import { isUuid } from '../okr/lookups';
import { TIME_TRAVEL } from '../okr/okr-api.tokens';
import { CycleFrameModel } from './cycle-frame.model';
import { CycleReplayArgs } from './replay.input';

@Resolver(() => CycleFrameModel)
export class ReplayResolver {
  constructor(@Inject(TIME_TRAVEL) private readonly timeTravel: TimeTravel) {}

  @Query(() => [CycleFrameModel], {
    description:
      'The cycle at from, from + every, … and a last frame at to (from = to gives one frame), folded from events; with validAt each frame is what was known then about that valid time.',
  })
  async cycleReplay(
    @CurrentIdentity() identity: Identity,
    @Args() args: CycleReplayArgs,
  ): Promise<CycleFrameModel[]> {
    if (!isUuid(args.cycleId)) throw new NotFoundError('Cycle', args.cycleId);
    const frames = await this.timeTravel.cycleReplay(identity.tenantId, args.cycleId, {
      from: args.from ?? undefined,
      to: args.to ?? undefined,
      every: args.every,
      validAt: args.validAt ?? null,
      // Each frame holds only what the caller could see at its instant and can see now.
      viewer: { personId: identity.actorId, roles: identity.roles },
    });
    return frames.map((f) => ({
      at: f.at,
      progress: f.progress,
      objectives: f.objectives.map((o) => ({
        ...o,
        keyResults: o.keyResults.map((k) => ({ ...k })),
      })),
    }));
  }
}
