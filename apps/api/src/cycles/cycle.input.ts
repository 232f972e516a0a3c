import { ArgsType, Field, ID, InputType, Int } from '@nestjs/graphql';
import {
  IsDate,
  IsInt,
  IsNotEmpty,
  IsOptional,
  IsString,
  IsUUID,
  MaxDate,
  MaxLength,
  Min,
  MinDate,
} from 'class-validator';
import { IDEMPOTENCY_KEY_DESCRIPTION, IdempotentInput } from '../okr/change.input';
import { CYCLE_EARLIEST, CYCLE_LATEST, DateTimeScalar } from '../graphql/date-time.scalar';

@InputType('ScheduleCycleInput', { description: 'A new cycle in PLANNING.' })
export class ScheduleCycleInput extends IdempotentInput {
  @Field(() => String, { description: 'The cycle name, e.g. "2026 Q1". At most 200 characters.' })
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  name!: string;

  @Field(() => DateTimeScalar, {
    description: 'When it starts; from 1970-01-01T00:00:00Z to 9999-12-31T23:59:59.999Z.',
  })
  @IsDate()
  @MinDate(CYCLE_EARLIEST)
  @MaxDate(CYCLE_LATEST)
  startsAt!: Date;

  @Field(() => DateTimeScalar, {
    description: 'When it ends; after startsAt, at the latest 9999-12-31T23:59:59.999Z.',
  })
  @IsDate()
  @MinDate(CYCLE_EARLIEST)
  @MaxDate(CYCLE_LATEST)
  endsAt!: Date;
}

/** `startCycle(id, expectedVersion)` and `closeCycle(id, expectedVersion)`. */
@ArgsType()
export class CycleTransitionArgs {
  @Field(() => ID, { description: 'The cycle. A UUID.' })
  @IsUUID()
  id!: string;

  @Field(() => Int, { nullable: true, description: 'The version you read; stale → CONFLICT.' })
  @IsOptional()
  @IsInt()
  @Min(0)
  expectedVersion?: number | null;

  @Field(() => String, { nullable: true, description: IDEMPOTENCY_KEY_DESCRIPTION })
  @IsOptional()
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  idempotencyKey?: string | null;
}
