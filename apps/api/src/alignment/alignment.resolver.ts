import { Inject } from '@nestjs/common';
import { Args, Context, ID, Query, ResolveField, Resolver } from '@nestjs/graphql';
import type { ReadModelQueries, TimeTravel } from '@okr-ledger/read-models';
import { CurrentIdentity } from '../auth/current-identity.decorator';
import type { Identity } from '../auth/identity';
import { NotFoundError } from '../errors/api.errors';
import type { GraphqlContext } from '../graphql/graphql-context';
import { ObjectiveModel } from '../objectives/objective.model';
import { found, isUuid } from '../okr/lookups';
import { READ_MODELS, TIME_TRAVEL } from '../okr/okr-api.tokens';
import { okrLoaders } from '../okr/okr-loaders.registration';
import { answeredAt } from '../okr/okr.loaders';
import { AlignmentNodeModel } from './alignment-node.model';
import { DateTimeScalar } from '../graphql/date-time.scalar';

@Resolver(() => AlignmentNodeModel)
export class AlignmentResolver {
  constructor(
    @Inject(READ_MODELS) private readonly readModels: ReadModelQueries,
    @Inject(TIME_TRAVEL) private readonly timeTravel: TimeTravel,
  ) {}

  @Query(() => [AlignmentNodeModel], {
    description:
      'The alignment tree of a cycle in pre-order, roots first. With asOf it is folded from the events recorded by then, with validAt from the values true then (ADR 0014).',
  })
  async alignmentTree(
    @CurrentIdentity() identity: Identity,
    @Context() ctx: GraphqlContext,
    @Args('cycleId', { type: () => ID, description: 'The cycle (a UUID).' }) cycleId: string,
    @Args('asOf', {
      type: () => DateTimeScalar,
      nullable: true,
      description: 'Answer as of this instant.',
    })
    asOf?: Date | null,
    @Args('validAt', {
      type: () => DateTimeScalar,
      nullable: true,
      description: 'Answer what was true at this instant, as known now (or at asOf).',
    })
    validAt?: Date | null,
  ): Promise<AlignmentNodeModel[]> {
    if (!isUuid(cycleId)) throw new NotFoundError('Cycle', cycleId);
    const loaders = okrLoaders(ctx);
    // Only the objectives the caller may see (then and now, for asOf): a visible child of a
    // hidden parent is a root, with parentId null; progress still counts the hidden (ADR 0017).
    const at = answeredAt(asOf, validAt);
    if (at) {
      const nodes = await this.timeTravel.alignmentTree(
        identity.tenantId,
        cycleId,
        at,
        loaders.viewer,
      );
      return nodes.map((n) => AlignmentNodeModel.from(n, at));
    }
    // A tree of an unknown cycle is NOT_FOUND, as with asOf, rather than an empty list.
    found(await loaders.current.cycle.load(cycleId), 'Cycle', cycleId);
    const nodes = await this.readModels.alignment.tree(
      identity.tenantId,
      cycleId,
      await loaders.scope(),
    );
    return nodes.map((n) => AlignmentNodeModel.from(n));
  }

  // No parameter decorators: Nest binds it as graphql-js's resolver (parent, args, context),
  // without its per-call parameter pipeline, once per node of the tree.
  @ResolveField('objective', () => ObjectiveModel, { description: 'The objective of this node.' })
  async objective(
    node: AlignmentNodeModel,
    _args: unknown,
    ctx: GraphqlContext,
  ): Promise<ObjectiveModel> {
    const objective = await okrLoaders(ctx).at(node.asOf).objective.load(node.objectiveId);
    return ObjectiveModel.from(found(objective, 'Objective', node.objectiveId), node.asOf);
  }
}
