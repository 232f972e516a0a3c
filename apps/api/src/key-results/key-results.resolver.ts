import { Inject } from '@nestjs/common';
import { Args, Context, Mutation, Parent, Query, ResolveField, Resolver } from '@nestjs/graphql';
import type { CommandResult, OkrCommands } from '@okr-ledger/commands';
import { measuredBy, type AuditSignalKind, type Health } from '@okr-ledger/okr';
import type { ReadModelQueries, TimeTravel } from '@okr-ledger/read-models';
import { AuditSignalKindEnum, AuditSignalModel } from '../audit/audit-signal.model';
import { CurrentIdentity } from '../auth/current-identity.decorator';
import type { Identity } from '../auth/identity';
import { CheckInConnectionModel } from '../check-ins/check-in.model';
import type { GraphqlContext } from '../graphql/graphql-context';
import { ByIdAsOfArgs } from '../objectives/objective.input';
import { ObjectiveModel } from '../objectives/objective.model';
import { HealthEnum } from '../okr/okr-enums.model';
import { offsetPage, withCursorCheck } from '../okr/connection-paging';
import { found } from '../okr/lookups';
import { healthAtReadTime } from '../okr/read-time-health';
import { OKR_COMMANDS, READ_MODELS, TIME_TRAVEL } from '../okr/okr-api.tokens';
import { okrLoaders } from '../okr/okr-loaders.registration';
import { answeredAt, recordedBound } from '../okr/okr.loaders';
import { OkrWrites } from '../okr/okr-writes.service';
import { PageArgs, pageRequest } from '../okr/page-info.model';
import {
  AddInitiativeInput,
  AddKeyResultInput,
  CompleteInitiativeInput,
  GraduateKeyResultInput,
  RedefineKeyResultInput,
} from './key-result.input';
import { KeyResultHistoryPointModel, KeyResultModel } from './key-result.model';

@Resolver(() => KeyResultModel)
export class KeyResultsResolver {
  constructor(
    @Inject(OKR_COMMANDS) private readonly commands: OkrCommands,
    @Inject(READ_MODELS) private readonly readModels: ReadModelQueries,
    @Inject(TIME_TRAVEL) private readonly timeTravel: TimeTravel,
    private readonly writes: OkrWrites,
  ) {}

  @Query(() => KeyResultModel, {
    nullable: true,
    description:
      'One key result; null when unknown. With asOf it is folded from the events recorded at or before that instant, with validAt from the values true then (ADR 0014), nested fields included.',
  })
  async keyResult(
    @Args() args: ByIdAsOfArgs,
    @Context() ctx: GraphqlContext,
  ): Promise<KeyResultModel | null> {
    const at = answeredAt(args.asOf, args.validAt);
    const keyResult = await okrLoaders(ctx).at(at).keyResult.load(args.id);
    return keyResult && KeyResultModel.from(keyResult, at);
  }

  @Mutation(() => KeyResultModel, { description: 'Adds a key result to an objective.' })
  async addKeyResult(
    @CurrentIdentity() identity: Identity,
    @Context() ctx: GraphqlContext,
    @Args('input', { type: () => AddKeyResultInput }) input: AddKeyResultInput,
  ): Promise<KeyResultModel> {
    const result = await this.commands.keyResults.add(this.writes.actor(identity), input);
    return this.payload(identity, ctx, result);
  }

  @Mutation(() => KeyResultModel, {
    description: 'Redefines a key result; the audit trail keeps every before and after.',
  })
  async redefineKeyResult(
    @CurrentIdentity() identity: Identity,
    @Context() ctx: GraphqlContext,
    @Args('input', { type: () => RedefineKeyResultInput }) input: RedefineKeyResultInput,
  ): Promise<KeyResultModel> {
    const result = await this.commands.keyResults.redefine(this.writes.actor(identity), input);
    return this.payload(identity, ctx, result);
  }

  @Mutation(() => KeyResultModel, {
    description: 'Graduates a key result into a health metric; it keeps its whole history.',
  })
  async graduateKeyResult(
    @CurrentIdentity() identity: Identity,
    @Context() ctx: GraphqlContext,
    @Args('input', { type: () => GraduateKeyResultInput }) input: GraduateKeyResultInput,
  ): Promise<KeyResultModel> {
    const result = await this.commands.keyResults.graduate(this.writes.actor(identity), input);
    return this.payload(identity, ctx, result);
  }

  @Mutation(() => KeyResultModel, { description: 'Adds an initiative to a key result.' })
  async addInitiative(
    @CurrentIdentity() identity: Identity,
    @Context() ctx: GraphqlContext,
    @Args('input', { type: () => AddInitiativeInput }) input: AddInitiativeInput,
  ): Promise<KeyResultModel> {
    const result = await this.commands.keyResults.addInitiative(this.writes.actor(identity), input);
    return this.payload(identity, ctx, result);
  }

  @Mutation(() => KeyResultModel, { description: 'Completes an initiative of a key result.' })
  async completeInitiative(
    @CurrentIdentity() identity: Identity,
    @Context() ctx: GraphqlContext,
    @Args('input', { type: () => CompleteInitiativeInput }) input: CompleteInitiativeInput,
  ): Promise<KeyResultModel> {
    const result = await this.commands.keyResults.completeInitiative(
      this.writes.actor(identity),
      input,
    );
    return this.payload(identity, ctx, result);
  }

  @ResolveField('objective', () => ObjectiveModel, { description: 'The objective it measures.' })
  async objective(@Parent() keyResult: KeyResultModel, @Context() ctx: GraphqlContext) {
    const objective = await okrLoaders(ctx)
      .at(keyResult.asOf)
      .objective.load(keyResult.objectiveId);
    return ObjectiveModel.from(
      found(objective, 'Objective', keyResult.objectiveId),
      keyResult.asOf,
    );
  }

  // No parameter decorators: Nest then hands graphql-js this method itself (parent, args,
  // context), without its per-call parameter pipeline and promise, and a key result that came
  // with its cycle (Objective.keyResults) answers without a promise: a page asks it per row.
  @ResolveField('health', () => HealthEnum, {
    description: 'Progress against the time elapsed in its cycle, now (or at the as-of instant).',
  })
  health(keyResult: KeyResultModel, _args: unknown, ctx: GraphqlContext): Health | Promise<Health> {
    const { progress, checkInCount, asOf, cycleView } = keyResult;
    if (cycleView !== undefined)
      return healthAtReadTime(progress, checkInCount > 0, cycleView, asOf);
    return okrLoaders(ctx)
      .at(asOf)
      .cycle.load(keyResult.cycleId)
      .then((cycle) => healthAtReadTime(progress, checkInCount > 0, cycle, asOf));
  }

  @ResolveField('checkIns', () => CheckInConnectionModel, {
    description:
      'Its check-ins, newest recorded first (for an as-of key result: those recorded by then; at a valid time: those measured by then). measuredAt tells when each was true.',
  })
  async checkIns(
    @CurrentIdentity() identity: Identity,
    @Parent() keyResult: KeyResultModel,
    @Args() args: PageArgs,
  ): Promise<CheckInConnectionModel> {
    const request = pageRequest(args);
    const page = keyResult.asOf
      ? offsetPage(
          await this.timeTravel.checkInsAsOf(identity.tenantId, keyResult.id, keyResult.asOf),
          request,
        )
      : await withCursorCheck(
          this.readModels.checkIns.page(identity.tenantId, keyResult.id, request),
        );
    return CheckInConnectionModel.from(page);
  }

  @ResolveField('history', () => [KeyResultHistoryPointModel], {
    description: 'Every value and definition change, oldest first (up to the as-of instant).',
  })
  async history(@CurrentIdentity() identity: Identity, @Parent() keyResult: KeyResultModel) {
    const series = await this.readModels.keyResultHistory.series(identity.tenantId, keyResult.id);
    const asOf = recordedBound(keyResult.asOf);
    const validAt = keyResult.asOf instanceof Date ? null : (keyResult.asOf?.validAt ?? null);
    // As time travel selects events (ADR 0014): a value by when it was true, the rest by record.
    return series
      .filter((point) => asOf === null || point.at.getTime() <= asOf.getTime())
      .filter(
        (point) =>
          validAt === null ||
          (point.measuredAt === null
            ? point.at.getTime() <= validAt.getTime()
            : measuredBy({ measuredAt: point.measuredAt.toISOString() }, validAt.toISOString())),
      )
      .map((point) => KeyResultHistoryPointModel.from(point));
  }

  @ResolveField('signals', () => [AuditSignalModel], {
    description:
      'Signals for auditors computed from its events (ADR 0016), oldest first; for an as-of key result those raised by then.',
  })
  async signals(
    @Context() ctx: GraphqlContext,
    @Parent() keyResult: KeyResultModel,
    @Args('kinds', {
      type: () => [AuditSignalKindEnum],
      nullable: true,
      description: 'Only these kinds; all when absent or empty.',
    })
    kinds?: AuditSignalKind[] | null,
  ): Promise<AuditSignalModel[]> {
    const signals = await ctx.loaders.auditSignals.load(keyResult.id);
    const asOf = recordedBound(keyResult.asOf);
    return signals
      .filter((s) => !kinds?.length || kinds.includes(s.kind))
      .filter((s) => asOf === null || s.detectedAt.getTime() <= asOf.getTime())
      .map((s) => AuditSignalModel.from(s));
  }

  private async payload(identity: Identity, ctx: GraphqlContext, result: CommandResult) {
    await this.writes.settle(identity.tenantId, 'KeyResult', result);
    const { view, asOf } = await this.writes.visible(
      'KeyResult',
      result,
      async () => (await this.readModels.keyResults.byIds(identity.tenantId, [result.id]))[0],
      (now) => okrLoaders(ctx).at(now).keyResult.load(result.id),
    );
    return KeyResultModel.from(view, asOf);
  }
}
