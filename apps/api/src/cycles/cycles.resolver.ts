import { Inject } from '@nestjs/common';
import { Args, ID, Mutation, Parent, Query, ResolveField, Resolver } from '@nestjs/graphql';
import type { OkrCommands } from '@okr-ledger/commands';
import type { ReadModelQueries } from '@okr-ledger/read-models';
import { CurrentIdentity } from '../auth/current-identity.decorator';
import type { Identity } from '../auth/identity';
import { ObjectiveConnectionModel } from '../objectives/objective.model';
import { found, isUuid, withCursorCheck } from '../okr/okr-api.helpers';
import { OKR_COMMANDS, READ_MODELS } from '../okr/okr-api.tokens';
import { OkrWrites } from '../okr/okr-writes.service';
import { PageArgs, pageRequest } from '../okr/page-info.model';
import { CycleTransitionArgs, ScheduleCycleInput } from './cycle.input';
import { CycleModel } from './cycle.model';

@Resolver(() => CycleModel)
export class CyclesResolver {
  constructor(
    @Inject(OKR_COMMANDS) private readonly commands: OkrCommands,
    @Inject(READ_MODELS) private readonly readModels: ReadModelQueries,
    private readonly writes: OkrWrites,
  ) {}

  @Query(() => [CycleModel], { description: 'Every cycle of your organisation.' })
  async cycles(@CurrentIdentity() identity: Identity): Promise<CycleModel[]> {
    const cycles = await this.readModels.cycles.all(identity.tenantId);
    return cycles.map((c) => CycleModel.from(c));
  }

  @Query(() => CycleModel, { nullable: true, description: 'One cycle; null when unknown.' })
  async cycle(
    @CurrentIdentity() identity: Identity,
    @Args('id', { type: () => ID }) id: string,
  ): Promise<CycleModel | null> {
    if (!isUuid(id)) return null;
    const [cycle] = await this.readModels.cycles.byIds(identity.tenantId, [id]);
    return cycle ? CycleModel.from(cycle) : null;
  }

  @Mutation(() => CycleModel, { description: 'Schedules a cycle (status PLANNING).' })
  async scheduleCycle(
    @CurrentIdentity() identity: Identity,
    @Args('input', { type: () => ScheduleCycleInput }) input: ScheduleCycleInput,
  ): Promise<CycleModel> {
    const result = await this.commands.cycles.schedule(this.writes.actor(identity), {
      name: input.name,
      startsAt: input.startsAt.toISOString(),
      endsAt: input.endsAt.toISOString(),
    });
    return this.payload(identity, result.id, result.position);
  }

  @Mutation(() => CycleModel, { description: 'PLANNING → ACTIVE.' })
  async startCycle(
    @CurrentIdentity() identity: Identity,
    @Args() args: CycleTransitionArgs,
  ): Promise<CycleModel> {
    const result = await this.commands.cycles.start(this.writes.actor(identity), {
      cycleId: args.id,
      expectedVersion: args.expectedVersion ?? undefined,
    });
    return this.payload(identity, result.id, result.position);
  }

  @Mutation(() => CycleModel, { description: 'ACTIVE → CLOSED; freezes every score of the cycle.' })
  async closeCycle(
    @CurrentIdentity() identity: Identity,
    @Args() args: CycleTransitionArgs,
  ): Promise<CycleModel> {
    const result = await this.commands.cycles.close(this.writes.actor(identity), {
      cycleId: args.id,
      expectedVersion: args.expectedVersion ?? undefined,
    });
    return this.payload(identity, result.id, result.position);
  }

  @ResolveField('objectives', () => ObjectiveConnectionModel, {
    description: 'The cycle’s objectives, oldest first.',
  })
  async objectives(
    @CurrentIdentity() identity: Identity,
    @Parent() cycle: CycleModel,
    @Args() page: PageArgs,
  ): Promise<ObjectiveConnectionModel> {
    const result = await withCursorCheck(
      this.readModels.objectives.page(identity.tenantId, { cycleId: cycle.id }, pageRequest(page)),
    );
    return ObjectiveConnectionModel.from(result);
  }

  private async payload(identity: Identity, id: string, position: string | null) {
    await this.writes.settle(position);
    const [cycle] = await this.readModels.cycles.byIds(identity.tenantId, [id]);
    return CycleModel.from(found(cycle, 'Cycle', id));
  }
}
