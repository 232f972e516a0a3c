import { Field, ID, Int, ObjectType } from '@nestjs/graphql';
import type { TeamMemberView, TeamView } from '@okr-ledger/read-models';
import type { AnsweredAt } from '../okr/okr.loaders';

@ObjectType('TeamMember', { description: 'A person in a team.' })
export class TeamMemberModel {
  @Field(() => ID, { description: "The person (a token's sub)." })
  personId!: string;

  @Field(() => Boolean, {
    description:
      'Leads the team: sees the TEAM objectives of the teams below it, changes its members.',
  })
  lead!: boolean;

  static from(view: TeamMemberView): TeamMemberModel {
    return Object.assign(new TeamMemberModel(), { personId: view.personId, lead: view.lead });
  }
}

@ObjectType('Team', { description: 'A team; teams form a tree (no loops).' })
export class TeamModel {
  @Field(() => ID, { description: 'The team id.' })
  id!: string;

  @Field(() => String, { description: 'The team name.' })
  name!: string;

  @Field(() => Int, { description: 'Number of events in the team stream; 0 before it exists.' })
  version!: number;

  /** Resolves `parent`; not a field of its own. */
  parentId!: string | null;
  /** Set on as-of (or valid-time) answers: nested fields are then answered at the same. */
  asOf!: AnsweredAt;

  static from(view: TeamView, asOf: AnsweredAt = null): TeamModel {
    return Object.assign(new TeamModel(), {
      id: view.id,
      name: view.name,
      version: view.version,
      parentId: view.parentId,
      asOf,
    });
  }
}
