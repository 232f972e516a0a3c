import { Field, ID, Int, ObjectType } from '@nestjs/graphql';
import type { TeamView } from '@okr-ledger/read-models';
import type { AnsweredAt } from '../okr/okr.loaders';

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
