import { Field, Float, ID, Int, ObjectType } from '@nestjs/graphql';
import type { CycleStatus } from '@okr-ledger/okr';
import type { CycleView } from '@okr-ledger/read-models';
import { CycleStatusEnum } from '../okr/okr-enums.model';
import { DateTimeScalar } from '../graphql/date-time.scalar';
import type { AnsweredAt } from '../okr/okr.loaders';

@ObjectType('Cycle', { description: 'A period (usually a quarter) that objectives belong to.' })
export class CycleModel {
  @Field(() => ID, { description: 'The cycle id.' })
  id!: string;

  @Field(() => String, { description: 'The cycle name, e.g. "2026 Q1".' })
  name!: string;

  @Field(() => DateTimeScalar, { description: 'When the cycle starts (UTC).' })
  startsAt!: Date;

  @Field(() => DateTimeScalar, { description: 'When the cycle ends (UTC).' })
  endsAt!: Date;

  @Field(() => CycleStatusEnum, { description: 'PLANNING, ACTIVE or CLOSED.' })
  status!: CycleStatus;

  @Field(() => Float, { description: 'Mean progress (0..1) of its non-archived objectives.' })
  progress!: number;

  @Field(() => Int, { description: 'Number of events in the cycle stream.' })
  version!: number;

  /** What it was answered at, for its nested fields (ADR 0005, 0014). */
  asOf!: AnsweredAt;

  static from(view: CycleView, asOf: AnsweredAt = null): CycleModel {
    return Object.assign(new CycleModel(), {
      id: view.id,
      name: view.name,
      startsAt: view.startsAt,
      endsAt: view.endsAt,
      status: view.status,
      progress: view.progress,
      version: view.version,
      asOf,
    });
  }
}
