import { Field, Float, ID, Int, ObjectType, registerEnumType } from '@nestjs/graphql';
import { VISIBILITIES, type Visibility } from '@okr-ledger/okr';
import type { ObjectiveView, Page } from '@okr-ledger/read-models';
import { PageInfoModel } from '../okr/page-info.model';
import { DateTimeScalar } from '../graphql/date-time.scalar';
import type { AnsweredAt } from '../okr/okr.loaders';

// Built from the domain's list, so the two cannot drift apart.
export const VisibilityEnum = Object.fromEntries(VISIBILITIES.map((v) => [v, v])) as {
  [V in Visibility]: V;
};
registerEnumType(VisibilityEnum, {
  name: 'Visibility',
  description:
    'Who sees an objective (and its key results, check-ins, initiatives): PUBLIC the organisation; TEAM the members of its team, the leads of the teams above it and admins; PRIVATE its owner and the people it is shared with. Auditors see every objective.',
});

@ObjectType('Objective', { description: 'A qualitative goal of a cycle, measured by key results.' })
export class ObjectiveModel {
  @Field(() => ID, { description: 'The objective id.' })
  id!: string;

  @Field(() => String, { description: 'What the objective wants to achieve.' })
  title!: string;

  @Field(() => String, { nullable: true, description: 'Longer free text.' })
  description!: string | null;

  @Field(() => ID, { nullable: true, description: 'The person accountable for it.' })
  ownerId!: string | null;

  @Field(() => VisibilityEnum, {
    description:
      'Who may see it. Set at creation (default PUBLIC with a team, PRIVATE without), changed by changeObjectiveVisibility.',
  })
  visibility!: Visibility;

  @Field(() => Float, {
    description: 'Weighted mean progress (0..1) of its scored key results (with roll-ups).',
  })
  progress!: number;

  @Field(() => Boolean, {
    description: 'Archived objectives keep their history but stop counting.',
  })
  archived!: boolean;

  @Field(() => Int, { description: 'Number of events in the objective stream.' })
  version!: number;

  @Field(() => DateTimeScalar, { description: 'When the objective was set.' })
  createdAt!: Date;

  cycleId!: string;
  teamId!: string | null;
  parentObjectiveId!: string | null;
  parentKeyResultId!: string | null;
  /** Whether any key result was checked in: health is NOT_STARTED before. */
  checkedIn!: boolean;
  /** What it was answered at, for its nested fields (ADR 0005, 0014). */
  asOf!: AnsweredAt;

  static from(view: ObjectiveView, asOf: AnsweredAt = null): ObjectiveModel {
    // Assigned one by one, as KeyResultModel.from: no intermediate object per row.
    const model = new ObjectiveModel();
    model.id = view.id;
    model.title = view.title;
    model.description = view.description;
    model.ownerId = view.ownerId;
    model.visibility = view.visibility;
    model.progress = view.progress;
    model.archived = view.archived;
    model.version = view.version;
    model.createdAt = view.createdAt;
    model.cycleId = view.cycleId;
    model.teamId = view.teamId;
    model.parentObjectiveId = view.parentObjectiveId;
    model.parentKeyResultId = view.parentKeyResultId;
    model.checkedIn = view.checkedIn;
    model.asOf = asOf;
    return model;
  }
}

@ObjectType('ObjectiveEdge', { description: 'An objective with its cursor.' })
export class ObjectiveEdgeModel {
  @Field(() => String, { description: 'Opaque cursor of this objective.' })
  cursor!: string;

  @Field(() => ObjectiveModel, { description: 'The objective.' })
  node!: ObjectiveModel;
}

@ObjectType('ObjectiveConnection', {
  description: 'A page of objectives, oldest first (Relay connection).',
})
export class ObjectiveConnectionModel {
  @Field(() => [ObjectiveEdgeModel], { description: 'The objectives of this page.' })
  edges!: ObjectiveEdgeModel[];

  @Field(() => PageInfoModel, { description: 'Where this page sits.' })
  pageInfo!: PageInfoModel;

  @Field(() => Int, { description: 'How many objectives match, on every page.' })
  totalCount!: number;

  static from(page: Page<ObjectiveView>): ObjectiveConnectionModel {
    return Object.assign(new ObjectiveConnectionModel(), {
      edges: page.items.map((i) => ({ cursor: i.cursor, node: ObjectiveModel.from(i.node) })),
      pageInfo: PageInfoModel.from(page),
      totalCount: page.totalCount,
    });
  }
}
