import { Inject } from '@nestjs/common';
import {
  Args,
  Context,
  ID,
  Mutation,
  Parent,
  Query,
  ResolveField,
  Resolver,
} from '@nestjs/graphql';
import type { CommandResult, OkrCommands } from '@okr-ledger/commands';
import type { ReadModelQueries, TimeTravel } from '@okr-ledger/read-models';
import { CurrentIdentity } from '../auth/current-identity.decorator';
import type { Identity } from '../auth/identity';
import { ObjectiveConnectionModel } from '../objectives/objective.model';
import type { GraphqlContext } from '../graphql/graphql-context';
import { offsetPage, withCursorCheck } from '../okr/connection-paging';
import { LedgerService } from '../ledger/ledger.service';
import { isUuid } from '../okr/lookups';
import { OKR_COMMANDS, READ_MODELS, TIME_TRAVEL } from '../okr/okr-api.tokens';
import { okrLoaders } from '../okr/okr-loaders.registration';
import { OkrWrites } from '../okr/okr-writes.service';
import { PageArgs, pageRequest } from '../okr/page-info.model';
import { CycleTransitionArgs, ScheduleCycleInput } from './cycle.input';
import { CycleModel } from './cycle.model';

@Resolver(() => CycleModel)
export class CyclesResolver {
  constructor(
    @Inject(OKR_COMMANDS) private readonly commands: OkrCommands,
    @Inject(READ_MODELS) private readonly readModels: ReadModelQueries,
    @Inject(TIME_TRAVEL) private readonly timeTravel: TimeTravel,
    private readonly writes: OkrWrites,
    private readonly ledger: LedgerService,
  ) {}

  @Query(() => [CycleModel], { description: 'Every cycle of your organisation.' })
  async cycles(@CurrentIdentity() identity: Identity): Promise<CycleModel[]> {
    const cycles = await this.readModels.cycles.all(identity.tenantId);
    return cycles.map((c) => CycleModel.from(c));
  }

  @Query(() => CycleModel, { nullable: true, description: 'One cycle; null when unknown.' })
  async cycle(
    @CurrentIdentity() identity: Identity,
    @Args('id', { type: () => ID, description: 'The cycle (a UUID).' }) id: string,
  ): Promise<CycleModel | null> {
    if (!isUuid(id)) return null;
    const [cycle] = await this.readModels.cycles.byIds(identity.tenantId, [id]);
    return cycle ? CycleModel.from(cycle) : null;
  }

  @Mutation(() => CycleModel, { description: 'Schedules a cycle (status PLANNING).' })
  async scheduleCycle(
    @CurrentIdentity() identity: Identity,
    @Context() ctx: GraphqlContext,
    @Args('input', { type: () => ScheduleCycleInput }) input: ScheduleCycleInput,
  ): Promise<CycleModel> {
    const result = await this.commands.cycles.schedule(this.writes.actor(identity), input);
    return this.payload(identity, ctx, result);
  }

  @Mutation(() => CycleModel, { description: 'PLANNING → ACTIVE.' })
  async startCycle(
    @CurrentIdentity() identity: Identity,
    @Context() ctx: GraphqlContext,
    @Args() args: CycleTransitionArgs,
  ): Promise<CycleModel> {
    const { id: cycleId, expectedVersion, idempotencyKey } = args;
    const result = await this.commands.cycles.start(this.writes.actor(identity), {
      cycleId,
      expectedVersion,
      idempotencyKey,
    });
    return this.payload(identity, ctx, result);
  }

  @Mutation(() => CycleModel, { description: 'ACTIVE → CLOSED; freezes every score of the cycle.' })
  async closeCycle(
    @CurrentIdentity() identity: Identity,
    @Context() ctx: GraphqlContext,
    @Args() args: CycleTransitionArgs,
  ): Promise<CycleModel> {
    const { id: cycleId, expectedVersion, idempotencyKey } = args;
    const result = await this.commands.cycles.close(this.writes.actor(identity), {
      cycleId,
      expectedVersion,
      idempotencyKey,
    });
    // The quarter's evidence: a signed checkpoint that includes the close.
    await this.ledger.afterCycleClosed(identity.tenantId, result.position);
    return this.payload(identity, ctx, result);
  }

  @ResolveField('objectives', () => ObjectiveConnectionModel, {
    description:
      'The cycle’s objectives, oldest first (for an as-of cycle: those it held at that instant).',
  })
  async objectives(
    @CurrentIdentity() identity: Identity,
    @Parent() cycle: CycleModel,
    @Args() page: PageArgs,
    @Context() ctx: GraphqlContext,
  ): Promise<ObjectiveConnectionModel> {
    const loaders = okrLoaders(ctx);
    if (cycle.asOf) {
      const asOf = cycle.asOf;
      const objectives = await this.timeTravel.cycleObjectives(
        identity.tenantId,
        cycle.id,
        asOf,
        loaders.viewer,
      );
      const connection = ObjectiveConnectionModel.from(offsetPage(objectives, pageRequest(page)));
      for (const edge of connection.edges) edge.node.asOf = asOf;
      return connection;
    }
    const result = await withCursorCheck(
      this.readModels.objectives.page(
        identity.tenantId,
        { cycleId: cycle.id, visibleTo: await loaders.scope() },
        pageRequest(page),
      ),
    );
    return ObjectiveConnectionModel.from(result);
  }

  private async payload(identity: Identity, ctx: GraphqlContext, result: CommandResult) {
    await this.writes.settle(identity.tenantId, 'Cycle', result);
    const { view, asOf } = await this.writes.visible(
      'Cycle',
      result,
      async () => (await this.readModels.cycles.byIds(identity.tenantId, [result.id]))[0],
      (now) => okrLoaders(ctx).at(now).cycle.load(result.id),
    );
    return CycleModel.from(view, asOf);
  }
}
