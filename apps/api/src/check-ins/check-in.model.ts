import { Field, Float, ID, Int, ObjectType } from '@nestjs/graphql';
import type { CheckInSource } from '@okr-ledger/okr';
import type { CheckInView, Page } from '@okr-ledger/read-models';
import { CheckInSourceEnum } from '../okr/okr-enums.model';
import { PageInfoModel } from '../okr/page-info.model';
import { DateTimeScalar } from '../graphql/date-time.scalar';

@ObjectType('CheckIn', {
  description: 'A recorded value of a key result with the weekly Plan / Progress / Problems note.',
})
export class CheckInModel {
  @Field(() => ID, { description: 'The check-in id.' })
  id!: string;

  @Field(() => ID, { description: 'The key result it was recorded for.' })
  keyResultId!: string;

  @Field(() => Float, { description: 'The value reported.' })
  value!: number;

  @Field(() => Float, { nullable: true, description: 'Confidence (0..1) stated with it.' })
  confidence!: number | null;

  @Field(() => String, { nullable: true, description: 'Plan: what happens next.' })
  plan!: string | null;

  @Field(() => String, { nullable: true, description: 'Progress: what was done.' })
  progress!: string | null;

  @Field(() => String, { nullable: true, description: 'Problems: what is in the way.' })
  problems!: string | null;

  @Field(() => CheckInSourceEnum, { description: 'MANUAL or INTEGRATION.' })
  source!: CheckInSource;

  @Field(() => ID, { description: 'Who recorded it.' })
  actorId!: string;

  @Field(() => DateTimeScalar, { description: 'When it was recorded (UTC).' })
  recordedAt!: Date;

  @Field(() => DateTimeScalar, {
    description: 'When the value was true (UTC); the latest measured is the current value.',
  })
  measuredAt!: Date;

  @Field(() => ID, {
    nullable: true,
    description: 'The data source that sent it; null for a person.',
  })
  dataSourceId!: string | null;

  @Field(() => String, { nullable: true, description: 'The data source’s own id for the value.' })
  externalId!: string | null;

  @Field(() => ID, {
    nullable: true,
    description:
      'The check-in it corrects: the same data source sent another value for the same measuredAt.',
  })
  correctsCheckInId!: string | null;

  cycleId!: string;

  static from(view: Omit<CheckInView, 'position'>): CheckInModel {
    return Object.assign(new CheckInModel(), {
      id: view.id,
      keyResultId: view.keyResultId,
      value: view.value,
      confidence: view.confidence,
      plan: view.plan,
      progress: view.progress,
      problems: view.problems,
      source: view.source,
      actorId: view.actorId,
      recordedAt: view.recordedAt,
      measuredAt: view.measuredAt,
      dataSourceId: view.dataSourceId,
      externalId: view.externalId,
      correctsCheckInId: view.correctsCheckInId,
      cycleId: view.cycleId,
    });
  }
}

@ObjectType('CheckInEdge', { description: 'A check-in with its cursor.' })
export class CheckInEdgeModel {
  @Field(() => String, { description: 'Opaque cursor of this check-in.' })
  cursor!: string;

  @Field(() => CheckInModel, { description: 'The check-in.' })
  node!: CheckInModel;
}

@ObjectType('CheckInConnection', { description: 'A page of check-ins, newest first.' })
export class CheckInConnectionModel {
  @Field(() => [CheckInEdgeModel], { description: 'The check-ins of this page.' })
  edges!: CheckInEdgeModel[];

  @Field(() => PageInfoModel, { description: 'Where this page sits.' })
  pageInfo!: PageInfoModel;

  @Field(() => Int, { description: 'How many check-ins there are in all.' })
  totalCount!: number;

  static from(page: Page<Omit<CheckInView, 'position'>>): CheckInConnectionModel {
    return Object.assign(new CheckInConnectionModel(), {
      edges: page.items.map((i) => ({ cursor: i.cursor, node: CheckInModel.from(i.node) })),
      pageInfo: PageInfoModel.from(page),
      totalCount: page.totalCount,
    });
  }
}
