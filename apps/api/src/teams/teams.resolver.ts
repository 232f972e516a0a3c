import { Args, Context, Mutation, Parent, Query, ResolveField, Resolver } from '@nestjs/graphql';
import { Inject } from '@nestjs/common';
import type { OkrCommands } from '@okr-ledger/commands';
import type { ReadModelQueries } from '@okr-ledger/read-models';
import { CurrentIdentity } from '../auth/current-identity.decorator';
import type { Identity } from '../auth/identity';
import type { GraphqlContext } from '../graphql/graphql-context';
import { found } from '../okr/lookups';
import { OKR_COMMANDS, READ_MODELS } from '../okr/okr-api.tokens';
import { okrLoaders } from '../okr/okr-loaders.registration';
import { OkrWrites } from '../okr/okr-writes.service';
import { CreateTeamInput, MoveTeamInput, RenameTeamInput } from './team.input';
import { TeamModel } from './team.model';

@Resolver(() => TeamModel)
export class TeamsResolver {
  constructor(
    @Inject(OKR_COMMANDS) private readonly commands: OkrCommands,
    @Inject(READ_MODELS) private readonly readModels: ReadModelQueries,
    private readonly writes: OkrWrites,
  ) {}

  @Query(() => [TeamModel], { description: 'Every team of your organisation.' })
  async teams(@CurrentIdentity() identity: Identity): Promise<TeamModel[]> {
    const teams = await this.readModels.teams.all(identity.tenantId);
    return teams.map((t) => TeamModel.from(t));
  }

  @Mutation(() => TeamModel, { description: 'Creates a team.' })
  async createTeam(
    @CurrentIdentity() identity: Identity,
    @Args('input', { type: () => CreateTeamInput }) input: CreateTeamInput,
  ): Promise<TeamModel> {
    const result = await this.commands.teams.create(this.writes.actor(identity), {
      name: input.name,
      parentTeamId: input.parentTeamId ?? null,
    });
    return this.payload(identity, result.id, result.position);
  }

  @Mutation(() => TeamModel, { description: 'Renames a team.' })
  async renameTeam(
    @CurrentIdentity() identity: Identity,
    @Args('input', { type: () => RenameTeamInput }) input: RenameTeamInput,
  ): Promise<TeamModel> {
    const result = await this.commands.teams.rename(this.writes.actor(identity), {
      teamId: input.teamId,
      name: input.name,
      expectedVersion: input.expectedVersion ?? undefined,
    });
    return this.payload(identity, result.id, result.position);
  }

  @Mutation(() => TeamModel, { description: 'Moves a team in the team tree (no loops).' })
  async moveTeam(
    @CurrentIdentity() identity: Identity,
    @Args('input', { type: () => MoveTeamInput }) input: MoveTeamInput,
  ): Promise<TeamModel> {
    const result = await this.commands.teams.move(this.writes.actor(identity), {
      teamId: input.teamId,
      parentTeamId: input.parentTeamId ?? null,
      expectedVersion: input.expectedVersion ?? undefined,
    });
    return this.payload(identity, result.id, result.position);
  }

  @ResolveField('parent', () => TeamModel, { nullable: true, description: 'The parent team.' })
  async parent(@Parent() team: TeamModel, @Context() ctx: GraphqlContext) {
    if (team.parentId === null) return null;
    const parent = await okrLoaders(ctx).at(team.asOf).team.load(team.parentId);
    return parent && TeamModel.from(parent, team.asOf);
  }

  @ResolveField('children', () => [TeamModel], { description: 'The teams directly under it.' })
  async children(@Parent() team: TeamModel, @Context() ctx: GraphqlContext) {
    const children = await okrLoaders(ctx).at(team.asOf).teamChildren.load(team.id);
    return children.map((c) => TeamModel.from(c, team.asOf));
  }

  private async payload(identity: Identity, id: string, position: string | null) {
    await this.writes.settle(position);
    const [team] = await this.readModels.teams.byIds(identity.tenantId, [id]);
    return TeamModel.from(found(team, 'Team', id));
  }
}
