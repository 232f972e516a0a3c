import { Field, Float, ID, Int, ObjectType } from '@nestjs/graphql';
import type { AlignmentNodeView } from '@okr-ledger/read-models';
import type { AnsweredAt } from '../okr/okr.loaders';

@ObjectType('AlignmentNode', { description: 'An objective in the alignment tree of a cycle.' })
export class AlignmentNodeModel {
  @Field(() => ID, {
    nullable: true,
    description:
      'The parent objective, or for an objective aligned to a key result, that key result’s objective; null for roots.',
  })
  parentId!: string | null;

  @Field(() => Int, { description: 'Distance from its root; 0 for roots.' })
  depth!: number;

  @Field(() => Float, { description: 'Rolled-up progress (0..1) of the objective.' })
  progress!: number;

  objectiveId!: string;
  /** What it was answered at, for its nested fields (ADR 0005, 0014). */
  asOf!: AnsweredAt;

  static from(view: AlignmentNodeView, asOf: AnsweredAt = null): AlignmentNodeModel {
    return Object.assign(new AlignmentNodeModel(), {
      parentId: view.parentId,
      depth: view.depth,
      progress: view.progress,
      objectiveId: view.objectiveId,
      asOf,
    });
  }
}
