import { Args, Context, Mutation, Parent, Query, ResolveField, Resolver } from '@nestjs/graphql';
import { Inject } from '@nestjs/common';
import type { CommandResult, OkrCommands } from '@okr-ledger/commands';
import type { ReadModelQueries } from '@okr-ledger/read-models';
import { CurrentIdentity } from '../auth/current-identity.decorator';
import type { Identity } from '../auth/identity';
import type { GraphqlContext } from '../graphql/graphql-context';
import { OKR_COMMANDS, READ_MODELS } from '../okr/okr-api.tokens';
import { okrLoaders } from '../okr/okr-loaders.registration';
import { OkrWrites } from '../okr/okr-writes.service';
import {
  AddTeamMemberInput,
  CreateTeamInput,
  MoveTeamInput,
  RemoveTeamMemberInput,
  RenameTeamInput,
} from './team.input';
import { TeamMemberModel, TeamModel } from './team.model';

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
    @Context() ctx: GraphqlContext,
    @Args('input', { type: () => CreateTeamInput }) input: CreateTeamInput,
  ): Promise<TeamModel> {
    const result = await this.commands.teams.create(this.writes.actor(identity), input);
    return this.payload(identity, ctx, result);
  }

  @Mutation(() => TeamModel, { description: 'Renames a team.' })
  async renameTeam(
    @CurrentIdentity() identity: Identity,
    @Context() ctx: GraphqlContext,
    @Args('input', { type: () => RenameTeamInput }) input: RenameTeamInput,
  ): Promise<TeamModel> {
    const result = await this.commands.teams.rename(this.writes.actor(identity), input);
    return this.payload(identity, ctx, result);
  }

  @Mutation(() => TeamModel, { description: 'Moves a team in the team tree (no loops).' })
  async moveTeam(
    @CurrentIdentity() identity: Identity,
    @Context() ctx: GraphqlContext,
    @Args('input', { type: () => MoveTeamInput }) input: MoveTeamInput,
  ): Promise<TeamModel> {
    const result = await this.commands.teams.move(this.writes.actor(identity), input);
    return this.payload(identity, ctx, result);
  }

  @Mutation(() => TeamModel, {
    description: 'Adds a member to a team (or changes their lead). ADMIN or a lead of the team.',
  })
  async addTeamMember(
    @CurrentIdentity() identity: Identity,
    @Context() ctx: GraphqlContext,
    @Args('input', { type: () => AddTeamMemberInput }) input: AddTeamMemberInput,
  ): Promise<TeamModel> {
    const result = await this.commands.teams.addMember(this.writes.actor(identity), input);
    return this.payload(identity, ctx, result);
  }

  @Mutation(() => TeamModel, {
    description: 'Removes a member from a team. ADMIN or a lead of the team.',
  })
  async removeTeamMember(
    @CurrentIdentity() identity: Identity,
    @Context() ctx: GraphqlContext,
    @Args('input', { type: () => RemoveTeamMemberInput }) input: RemoveTeamMemberInput,
  ): Promise<TeamModel> {
    const result = await this.commands.teams.removeMember(this.writes.actor(identity), input);
    return this.payload(identity, ctx, result);
  }

  @ResolveField('members', () => [TeamMemberModel], {
    description:
      'Its members, by person id: now, or on an asOf (or validAt) answer those of that instant, like every nested field.',
  })
  async members(@Parent() team: TeamModel, @Context() ctx: GraphqlContext) {
    const members = await okrLoaders(ctx).at(team.asOf).teamMembers.load(team.id);
    return members.map((m) => TeamMemberModel.from(m));
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

  private async payload(identity: Identity, ctx: GraphqlContext, result: CommandResult) {
    await this.writes.settle(identity.tenantId, 'Team', result);
    const { view, asOf } = await this.writes.visible(
      'Team',
      result,
      async () => (await this.readModels.teams.byIds(identity.tenantId, [result.id]))[0],
      (now) => okrLoaders(ctx).at(now).team.load(result.id),
    );
    return TeamModel.from(view, asOf);
  }
}
