import { Inject } from '@nestjs/common';
import { Args, Context, Mutation, Parent, Query, ResolveField, Resolver } from '@nestjs/graphql';
import type { GraphQLResolveInfo } from 'graphql';
import type { CommandResult, OkrCommands } from '@okr-ledger/commands';
import type { Health } from '@okr-ledger/okr';
import type { ReadModelQueries } from '@okr-ledger/read-models';
import { CurrentIdentity } from '../auth/current-identity.decorator';
import type { Identity } from '../auth/identity';
import { CycleModel } from '../cycles/cycle.model';
import type { GraphqlContext } from '../graphql/graphql-context';
import { KeyResultModel } from '../key-results/key-result.model';
import { HealthEnum } from '../okr/okr-enums.model';
import { withCursorCheck } from '../okr/connection-paging';
import { selectsField } from '../okr/field-selection';
import { found, isUuid } from '../okr/lookups';
import { healthAtReadTime } from '../okr/read-time-health';
import { OKR_COMMANDS, READ_MODELS } from '../okr/okr-api.tokens';
import { okrLoaders } from '../okr/okr-loaders.registration';
import { answeredAt } from '../okr/okr.loaders';
import { OkrWrites } from '../okr/okr-writes.service';
import { pageRequest } from '../okr/page-info.model';
import { TeamModel } from '../teams/team.model';
import {
  AlignObjectiveInput,
  ArchiveObjectiveInput,
  ByIdAsOfArgs,
  ChangeObjectiveVisibilityInput,
  ObjectivesArgs,
  ReviseObjectiveInput,
  SetObjectiveInput,
  ShareObjectiveInput,
  UnshareObjectiveInput,
} from './objective.input';
import { ObjectiveConnectionModel, ObjectiveModel } from './objective.model';

@Resolver(() => ObjectiveModel)
export class ObjectivesResolver {
  constructor(
    @Inject(OKR_COMMANDS) private readonly commands: OkrCommands,
    @Inject(READ_MODELS) private readonly readModels: ReadModelQueries,
    private readonly writes: OkrWrites,
  ) {}

  @Query(() => ObjectiveModel, {
    nullable: true,
    description:
      'One objective; null when unknown. With asOf it is folded from the events recorded at or before that instant, with validAt from the values true then (ADR 0014), nested fields included.',
  })
  async objective(
    @Args() args: ByIdAsOfArgs,
    @Context() ctx: GraphqlContext,
  ): Promise<ObjectiveModel | null> {
    const at = answeredAt(args.asOf, args.validAt);
    const objective = await okrLoaders(ctx).at(at).objective.load(args.id);
    return objective && ObjectiveModel.from(objective, at);
  }

  @Query(() => ObjectiveConnectionModel, {
    description:
      'Objectives (archived ones included), oldest first, filtered by cycle, team or owner.',
  })
  async objectives(
    @CurrentIdentity() identity: Identity,
    @Args() args: ObjectivesArgs,
    @Context() ctx: GraphqlContext,
  ): Promise<ObjectiveConnectionModel> {
    const unknownId = [args.cycleId, args.teamId].some((id) => id && !isUuid(id));
    const page = unknownId
      ? {
          items: [],
          hasNextPage: false,
          hasPreviousPage: false,
          startCursor: null,
          endCursor: null,
          totalCount: 0,
        }
      : await withCursorCheck(
          this.readModels.objectives.page(
            identity.tenantId,
            {
              cycleId: args.cycleId,
              teamId: args.teamId,
              ownerId: args.ownerId,
              includeArchived: true,
              visibleTo: await okrLoaders(ctx).scope(),
            },
            pageRequest(args),
          ),
        );
    return ObjectiveConnectionModel.from(page);
  }

  @Mutation(() => ObjectiveModel, { description: 'Sets a new objective in a cycle.' })
  async setObjective(
    @CurrentIdentity() identity: Identity,
    @Context() ctx: GraphqlContext,
    @Args('input', { type: () => SetObjectiveInput }) input: SetObjectiveInput,
  ): Promise<ObjectiveModel> {
    const result = await this.commands.objectives.set(this.writes.actor(identity), input);
    return this.payload(identity, ctx, result);
  }

  @Mutation(() => ObjectiveModel, { description: 'Changes an objective’s definition.' })
  async reviseObjective(
    @CurrentIdentity() identity: Identity,
    @Context() ctx: GraphqlContext,
    @Args('input', { type: () => ReviseObjectiveInput }) input: ReviseObjectiveInput,
  ): Promise<ObjectiveModel> {
    const result = await this.commands.objectives.revise(this.writes.actor(identity), input);
    return this.payload(identity, ctx, result);
  }

  @Mutation(() => ObjectiveModel, { description: 'Aligns an objective (no alignment loops).' })
  async alignObjective(
    @CurrentIdentity() identity: Identity,
    @Context() ctx: GraphqlContext,
    @Args('input', { type: () => AlignObjectiveInput }) input: AlignObjectiveInput,
  ): Promise<ObjectiveModel> {
    const result = await this.commands.objectives.align(this.writes.actor(identity), input);
    return this.payload(identity, ctx, result);
  }

  @Mutation(() => ObjectiveModel, { description: 'Archives an objective; its history stays.' })
  async archiveObjective(
    @CurrentIdentity() identity: Identity,
    @Context() ctx: GraphqlContext,
    @Args('input', { type: () => ArchiveObjectiveInput }) input: ArchiveObjectiveInput,
  ): Promise<ObjectiveModel> {
    const result = await this.commands.objectives.archive(this.writes.actor(identity), input);
    return this.payload(identity, ctx, result);
  }

  @Mutation(() => ObjectiveModel, {
    description:
      'Changes who may see an objective (also archived ones, and in a closed cycle): the past follows, see ADR 0017.',
  })
  async changeObjectiveVisibility(
    @CurrentIdentity() identity: Identity,
    @Context() ctx: GraphqlContext,
    @Args('input', { type: () => ChangeObjectiveVisibilityInput })
    input: ChangeObjectiveVisibilityInput,
  ): Promise<ObjectiveModel> {
    const actor = this.writes.actor(identity);
    const result = await this.commands.objectives.changeVisibility(actor, input);
    return this.payload(identity, ctx, result);
  }

  @Mutation(() => ObjectiveModel, { description: 'Shares an objective with one person.' })
  async shareObjective(
    @CurrentIdentity() identity: Identity,
    @Context() ctx: GraphqlContext,
    @Args('input', { type: () => ShareObjectiveInput }) input: ShareObjectiveInput,
  ): Promise<ObjectiveModel> {
    const result = await this.commands.objectives.share(this.writes.actor(identity), input);
    return this.payload(identity, ctx, result);
  }

  @Mutation(() => ObjectiveModel, { description: 'Takes back a share of an objective.' })
  async unshareObjective(
    @CurrentIdentity() identity: Identity,
    @Context() ctx: GraphqlContext,
    @Args('input', { type: () => UnshareObjectiveInput }) input: UnshareObjectiveInput,
  ): Promise<ObjectiveModel> {
    const result = await this.commands.objectives.unshare(this.writes.actor(identity), input);
    return this.payload(identity, ctx, result);
  }

  @ResolveField('cycle', () => CycleModel, { description: 'The cycle it belongs to.' })
  async cycle(@Parent() objective: ObjectiveModel, @Context() ctx: GraphqlContext) {
    const cycle = await okrLoaders(ctx).at(objective.asOf).cycle.load(objective.cycleId);
    return CycleModel.from(found(cycle, 'Cycle', objective.cycleId), objective.asOf);
  }

  @ResolveField('team', () => TeamModel, { nullable: true, description: 'The team it belongs to.' })
  async team(@Parent() objective: ObjectiveModel, @Context() ctx: GraphqlContext) {
    if (objective.teamId === null) return null;
    const team = await okrLoaders(ctx).at(objective.asOf).team.load(objective.teamId);
    return team && TeamModel.from(team, objective.asOf);
  }

  @ResolveField('parentObjective', () => ObjectiveModel, {
    nullable: true,
    description: 'The objective it is aligned to directly, if any.',
  })
  async parentObjective(@Parent() objective: ObjectiveModel, @Context() ctx: GraphqlContext) {
    if (objective.parentObjectiveId === null) return null;
    const parent = await okrLoaders(ctx)
      .at(objective.asOf)
      .objective.load(objective.parentObjectiveId);
    return parent && ObjectiveModel.from(parent, objective.asOf);
  }

  @ResolveField('parentKeyResult', () => KeyResultModel, {
    nullable: true,
    description: 'The key result it is aligned to, if any.',
  })
  async parentKeyResult(@Parent() objective: ObjectiveModel, @Context() ctx: GraphqlContext) {
    if (objective.parentKeyResultId === null) return null;
    const parent = await okrLoaders(ctx)
      .at(objective.asOf)
      .keyResult.load(objective.parentKeyResultId);
    return parent && KeyResultModel.from(parent, objective.asOf);
  }

  @ResolveField('children', () => [ObjectiveModel], {
    description: 'Objectives aligned to it directly or to one of its key results.',
  })
  async children(@Parent() objective: ObjectiveModel, @Context() ctx: GraphqlContext) {
    const children = await okrLoaders(ctx).at(objective.asOf).objectiveChildren.load(objective.id);
    return children.map((c) => ObjectiveModel.from(c, objective.asOf));
  }

  // Without parameter decorators, as KeyResult.health: graphql-js's (parent, args, context,
  // info) straight, no Nest pipeline per call. With health asked of the key results, their
  // cycle (the objective's, already loaded for its own health) comes along, so that their
  // health needs no lookup and no promise each.
  @ResolveField('keyResults', () => [KeyResultModel], { description: 'Its key results.' })
  async keyResults(
    objective: ObjectiveModel,
    _args: unknown,
    ctx: GraphqlContext,
    info: GraphQLResolveInfo,
  ): Promise<KeyResultModel[]> {
    const loaders = okrLoaders(ctx).at(objective.asOf);
    const [keyResults, cycle] = await Promise.all([
      loaders.keyResultsOfObjective.load(objective.id),
      selectsField(info, 'health') ? loaders.cycle.load(objective.cycleId) : undefined,
    ]);
    return keyResults.map((k) =>
      KeyResultModel.from(k, objective.asOf, k.cycleId === objective.cycleId ? cycle : undefined),
    );
  }

  // As KeyResult.health: no parameter decorators, so no Nest pipeline per call.
  @ResolveField('health', () => HealthEnum, {
    description: 'Progress against the time elapsed in its cycle, now (or at the as-of instant).',
  })
  async health(objective: ObjectiveModel, _args: unknown, ctx: GraphqlContext): Promise<Health> {
    const cycle = await okrLoaders(ctx).at(objective.asOf).cycle.load(objective.cycleId);
    return healthAtReadTime(objective.progress, objective.checkedIn, cycle, objective.asOf);
  }

  private async payload(identity: Identity, ctx: GraphqlContext, result: CommandResult) {
    await this.writes.settle(identity.tenantId, 'Objective', result);
    const { view, asOf } = await this.writes.visible(
      'Objective',
      result,
      async () => (await this.readModels.objectives.byIds(identity.tenantId, [result.id]))[0],
      (now) => okrLoaders(ctx).at(now).objective.load(result.id),
    );
    return ObjectiveModel.from(view, asOf);
  }
}
