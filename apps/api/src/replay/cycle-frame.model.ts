import { Field, Float, ID, ObjectType } from '@nestjs/graphql';
import type { Health } from '@okr-ledger/okr';
import { HealthEnum } from '../okr/okr-enums.model';
import { DateTimeScalar } from '../graphql/date-time.scalar';

@ObjectType('KeyResultFrame', { description: 'A key result as it stood at a frame’s instant.' })
export class KeyResultFrameModel {
  @Field(() => ID, { description: 'The key result id.' })
  keyResultId!: string;

  @Field(() => String, { description: 'Its title at that instant.' })
  title!: string;

  @Field(() => Float, { description: 'Its target value at that instant.' })
  targetValue!: number;

  @Field(() => Float, { description: 'Its current value at that instant.' })
  currentValue!: number;

  @Field(() => Float, { description: 'Its progress (0..1) at that instant.' })
  progress!: number;

  @Field(() => Float, { nullable: true, description: 'Its confidence at that instant.' })
  confidence!: number | null;

  @Field(() => HealthEnum, {
    description: 'Its health at that instant (progress against the time elapsed by then).',
  })
  health!: Health;
}

@ObjectType('ObjectiveFrame', { description: 'An objective as it stood at a frame’s instant.' })
export class ObjectiveFrameModel {
  @Field(() => ID, { description: 'The objective id.' })
  objectiveId!: string;

  @Field(() => String, { description: 'Its title at that instant.' })
  title!: string;

  @Field(() => Float, { description: 'Its progress (0..1) at that instant.' })
  progress!: number;

  @Field(() => HealthEnum, {
    description: 'Its health at that instant (progress against the time elapsed by then).',
  })
  health!: Health;

  @Field(() => [KeyResultFrameModel], { description: 'Its key results at that instant.' })
  keyResults!: KeyResultFrameModel[];
}

@ObjectType('CycleFrame', { description: 'The state of a whole cycle at one instant of a replay.' })
export class CycleFrameModel {
  @Field(() => DateTimeScalar, { description: 'The instant of this frame.' })
  at!: Date;

  @Field(() => Float, { description: 'The cycle progress (0..1) at that instant.' })
  progress!: number;

  @Field(() => [ObjectiveFrameModel], { description: 'Its objectives at that instant.' })
  objectives!: ObjectiveFrameModel[];
}
