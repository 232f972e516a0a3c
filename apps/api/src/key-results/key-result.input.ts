import { Field, Float, ID, InputType } from '@nestjs/graphql';
import {
  IsEnum,
  IsNotEmpty,
  IsNumber,
  IsOptional,
  IsPositive,
  IsString,
  IsUrl,
  IsUUID,
  ValidateBy,
  MaxLength,
} from 'class-validator';
import type { KeyResultKind, KeyResultScoring, KeyResultType } from '@okr-ledger/okr';
import { isCalendarDate } from '../graphql/date-time.scalar';
import { ExplainedChangeInput, IdempotentInput, VersionedChangeInput } from '../okr/change.input';
import { KeyResultKindEnum, KeyResultScoringEnum, KeyResultTypeEnum } from '../okr/okr-enums.model';

const FINITE = { allowNaN: false, allowInfinity: false } as const;
const URL_OPTIONS = { require_protocol: true, protocols: ['http', 'https'] };

@InputType('AddKeyResultInput', { description: 'A new key result of an objective.' })
export class AddKeyResultInput extends IdempotentInput {
  @Field(() => ID, { description: 'The objective it measures. A UUID.' })
  @IsUUID()
  objectiveId!: string;

  @Field(() => String, { description: 'What is measured. At most 300 characters.' })
  @IsString()
  @IsNotEmpty()
  @MaxLength(300)
  title!: string;

  @Field(() => KeyResultTypeEnum, { description: 'How progress follows from the values.' })
  @IsEnum(KeyResultTypeEnum)
  type!: KeyResultType;

  @Field(() => KeyResultKindEnum, { description: 'INPUT, OUTPUT or OUTCOME.' })
  @IsEnum(KeyResultKindEnum)
  kind!: KeyResultKind;

  @Field(() => Float, { description: 'The value at the start.' })
  @IsNumber(FINITE)
  startValue!: number;

  @Field(() => Float, { description: 'The value to reach.' })
  @IsNumber(FINITE)
  targetValue!: number;

  @Field(() => String, {
    nullable: true,
    description: 'Unit of the values. At most 50 characters.',
  })
  @IsOptional()
  @IsString()
  @MaxLength(50)
  unit?: string | null;

  @Field(() => Float, { nullable: true, description: 'Weight in the objective (> 0, default 1).' })
  @IsOptional()
  @IsNumber(FINITE)
  @IsPositive()
  weight?: number | null;

  @Field(() => ID, {
    nullable: true,
    description: 'The person accountable for it. At most 200 characters.',
  })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  ownerId?: string | null;

  @Field(() => String, {
    nullable: true,
    description: 'Link to where the value comes from. At most 2000 characters.',
  })
  @IsOptional()
  @IsUrl(URL_OPTIONS)
  @MaxLength(2000)
  dataSourceUrl?: string | null;

  @Field(() => KeyResultScoringEnum, {
    nullable: true,
    description: 'OWN_VALUE (default) or ALIGNED_OBJECTIVES.',
  })
  @IsOptional()
  @IsEnum(KeyResultScoringEnum)
  scoring?: KeyResultScoring | null;
}

@InputType('RedefineKeyResultInput', {
  description:
    'Changes a key result’s definition; absent fields stay. Once the cycle is ACTIVE a reason is required.',
})
export class RedefineKeyResultInput extends VersionedChangeInput {
  @Field(() => ID, { description: 'The key result to redefine. A UUID.' })
  @IsUUID()
  keyResultId!: string;

  @Field(() => String, { nullable: true, description: 'The new title. At most 300 characters.' })
  @IsOptional()
  @IsString()
  @IsNotEmpty()
  @MaxLength(300)
  title?: string | null;

  @Field(() => KeyResultTypeEnum, { nullable: true, description: 'The new type.' })
  @IsOptional()
  @IsEnum(KeyResultTypeEnum)
  type?: KeyResultType | null;

  @Field(() => KeyResultKindEnum, { nullable: true, description: 'The new kind.' })
  @IsOptional()
  @IsEnum(KeyResultKindEnum)
  kind?: KeyResultKind | null;

  @Field(() => Float, { nullable: true, description: 'The new start value.' })
  @IsOptional()
  @IsNumber(FINITE)
  startValue?: number | null;

  @Field(() => Float, { nullable: true, description: 'The new target value.' })
  @IsOptional()
  @IsNumber(FINITE)
  targetValue?: number | null;

  @Field(() => String, { nullable: true, description: 'The new unit. At most 50 characters.' })
  @IsOptional()
  @IsString()
  @MaxLength(50)
  unit?: string | null;

  @Field(() => Float, { nullable: true, description: 'The new weight (> 0).' })
  @IsOptional()
  @IsNumber(FINITE)
  @IsPositive()
  weight?: number | null;

  @Field(() => ID, { nullable: true, description: 'The new owner. At most 200 characters.' })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  ownerId?: string | null;

  @Field(() => String, {
    nullable: true,
    description: 'The new data-source link. At most 2000 characters.',
  })
  @IsOptional()
  @IsUrl(URL_OPTIONS)
  @MaxLength(2000)
  dataSourceUrl?: string | null;

  @Field(() => KeyResultScoringEnum, { nullable: true, description: 'The new scoring rule.' })
  @IsOptional()
  @IsEnum(KeyResultScoringEnum)
  scoring?: KeyResultScoring | null;

  @Field(() => String, {
    nullable: true,
    description: 'Why; required once the cycle is ACTIVE. At most 2000 characters.',
  })
  @IsOptional()
  @IsString()
  @MaxLength(2000)
  reason?: string | null;
}

@InputType('GraduateKeyResultInput', {
  description: 'Turns a key result into a health metric: monitored, no longer scored.',
})
export class GraduateKeyResultInput extends ExplainedChangeInput {
  @Field(() => ID, { description: 'The key result. A UUID.' })
  @IsUUID()
  keyResultId!: string;
}

@InputType('AddInitiativeInput', { description: 'A task that drives a key result.' })
export class AddInitiativeInput extends IdempotentInput {
  @Field(() => ID, { description: 'The key result it drives. A UUID.' })
  @IsUUID()
  keyResultId!: string;

  @Field(() => String, { description: 'What is to be done. At most 300 characters.' })
  @IsString()
  @IsNotEmpty()
  @MaxLength(300)
  title!: string;

  @Field(() => String, {
    nullable: true,
    description: 'Due date: a real calendar date as YYYY-MM-DD (UTC), 10 characters.',
  })
  @IsOptional()
  @ValidateBy({
    name: 'isCalendarDate',
    validator: {
      validate: (value: unknown) => typeof value === 'string' && isCalendarDate(value),
      defaultMessage: () => 'dueDate must be a real calendar date as YYYY-MM-DD',
    },
  })
  dueDate?: string | null;
}

@InputType('CompleteInitiativeInput', { description: 'Marks an initiative completed.' })
export class CompleteInitiativeInput extends IdempotentInput {
  @Field(() => ID, { description: 'The key result the initiative belongs to. A UUID.' })
  @IsUUID()
  keyResultId!: string;

  @Field(() => ID, { description: 'The initiative. A UUID.' })
  @IsUUID()
  initiativeId!: string;
}
