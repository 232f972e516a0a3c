import { ArgsType, Field, GraphQLISODateTime, ID, InputType, Int } from '@nestjs/graphql';
import {
  IsDate,
  IsInt,
  IsNotEmpty,
  IsOptional,
  IsString,
  IsUUID,
  MaxLength,
  Min,
} from 'class-validator';
import { IDEMPOTENCY_KEY_DESCRIPTION, IdempotentInput } from '../okr/change.input';

@InputType('ScheduleCycleInput', { description: 'A new cycle in PLANNING.' })
export class ScheduleCycleInput extends IdempotentInput {
  @Field(() => String, { description: 'The cycle name, e.g. "2026 Q1".' })
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  name!: string;

  @Field(() => GraphQLISODateTime, { description: 'When it starts (UTC).' })
  @IsDate()
  startsAt!: Date;

  @Field(() => GraphQLISODateTime, { description: 'When it ends (UTC); after startsAt.' })
  @IsDate()
  endsAt!: Date;
}

/** `startCycle(id, expectedVersion)` and `closeCycle(id, expectedVersion)`. */
@ArgsType()
export class CycleTransitionArgs {
  @Field(() => ID, { description: 'The cycle.' })
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
