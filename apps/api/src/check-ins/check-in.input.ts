import { Field, Float, ID, InputType } from '@nestjs/graphql';
import {
  IsDate,
  IsEnum,
  IsNotEmpty,
  IsNumber,
  IsOptional,
  IsString,
  IsUUID,
  Max,
  MaxLength,
  Min,
} from 'class-validator';
import type { CheckInSource } from '@okr-ledger/okr';
import { DateTimeScalar } from '../graphql/date-time.scalar';
import { CheckInSourceEnum } from '../okr/okr-enums.model';

@InputType('CheckInKeyResultInput', {
  description: 'A new value for a key result with the weekly Plan / Progress / Problems note.',
})
export class CheckInKeyResultInput {
  @Field(() => ID, { description: 'The key result. A UUID.' })
  @IsUUID()
  keyResultId!: string;

  @Field(() => Float, { description: 'The value (true at measuredAt).' })
  @IsNumber({ allowNaN: false, allowInfinity: false })
  value!: number;

  @Field(() => DateTimeScalar, {
    nullable: true,
    description:
      'When the value was true; now by default. An earlier instant fills history without overriding a value measured later; more than 5 minutes ahead of now is refused (MEASURED_IN_FUTURE).',
  })
  @IsOptional()
  @IsDate()
  measuredAt?: Date | null;

  @Field(() => Float, { nullable: true, description: 'Your confidence, 0..1.' })
  @IsOptional()
  @IsNumber({ allowNaN: false, allowInfinity: false })
  @Min(0)
  @Max(1)
  confidence?: number | null;

  @Field(() => String, {
    nullable: true,
    description: 'Plan: what happens next. At most 5000 characters.',
  })
  @IsOptional()
  @IsString()
  @MaxLength(5000)
  plan?: string | null;

  @Field(() => String, {
    nullable: true,
    description: 'Progress: what was done. At most 5000 characters.',
  })
  @IsOptional()
  @IsString()
  @MaxLength(5000)
  progress?: string | null;

  @Field(() => String, {
    nullable: true,
    description: 'Problems: what is in the way. At most 5000 characters.',
  })
  @IsOptional()
  @IsString()
  @MaxLength(5000)
  problems?: string | null;

  @Field(() => CheckInSourceEnum, {
    nullable: true,
    description: 'MANUAL (default) or INTEGRATION.',
  })
  @IsOptional()
  @IsEnum(CheckInSourceEnum)
  source?: CheckInSource | null;

  @Field(() => String, {
    nullable: true,
    description:
      'Makes retries safe: a key already used for this key result returns the first check-in and records nothing. At most 200 characters.',
  })
  @IsOptional()
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  idempotencyKey?: string | null;
}
