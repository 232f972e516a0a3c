import { ArgsType, Field, Float, ID, InputType } from '@nestjs/graphql';
import { MAX_MEASUREMENTS_PER_BATCH } from '@okr-ledger/commands';
import { MAX_DATA_SOURCE_KEY_RESULTS, MAX_EXPECTED_INTERVAL_HOURS } from '@okr-ledger/okr';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayNotEmpty,
  IsArray,
  IsBoolean,
  IsDate,
  IsNumber,
  IsOptional,
  IsString,
  IsUUID,
  Max,
  MaxLength,
  ValidateNested,
} from 'class-validator';
import { DateTimeScalar } from '../graphql/date-time.scalar';
import { IdempotentInput } from '../okr/change.input';

@InputType('RegisterDataSourceInput', {
  description: 'A system that pushes values for some key results. ADMIN only.',
})
export class RegisterDataSourceInput extends IdempotentInput {
  @Field(() => String, {
    description: 'What it is called, e.g. "Salesforce". At most 200 characters.',
  })
  @IsString()
  @MaxLength(200)
  name!: string;

  @Field(() => String, {
    description:
      'A code such as CRM, ANALYTICS, BILLING or SPREADSHEET (stored upper case). At most 40 characters.',
  })
  @IsString()
  @MaxLength(40)
  kind!: string;

  @Field(() => Float, {
    description: `How often it sends a value; longer without one and it is stale. Over 0, at most ${MAX_EXPECTED_INTERVAL_HOURS}.`,
  })
  @IsNumber({ allowNaN: false, allowInfinity: false })
  @Max(MAX_EXPECTED_INTERVAL_HOURS)
  expectedIntervalHours!: number;

  @Field(() => [ID], {
    description: `The key results it may record measurements for (1 to ${MAX_DATA_SOURCE_KEY_RESULTS} UUIDs).`,
  })
  @IsArray()
  @ArrayNotEmpty()
  @ArrayMaxSize(MAX_DATA_SOURCE_KEY_RESULTS)
  @IsUUID('all', { each: true })
  keyResultIds!: string[];
}

@InputType('RotateDataSourceKeyInput', {
  description: 'Replaces the key of a data source: the old one stops working at once.',
})
export class RotateDataSourceKeyInput extends IdempotentInput {
  @Field(() => ID, { description: 'The data source. A UUID.' })
  @IsUUID()
  dataSourceId!: string;
}

@InputType('RevokeDataSourceKeyInput', {
  description: 'Stops every key of a data source for good.',
})
export class RevokeDataSourceKeyInput extends IdempotentInput {
  @Field(() => ID, { description: 'The data source. A UUID.' })
  @IsUUID()
  dataSourceId!: string;

  @Field(() => String, { nullable: true, description: 'Why. At most 2000 characters.' })
  @IsOptional()
  @IsString()
  @MaxLength(2000)
  reason?: string | null;
}

@InputType('MeasurementInput', { description: 'One value of one key result at one instant.' })
export class MeasurementInput {
  // Not a UUID check: a wrong id is refused for that measurement alone (KEY_RESULT_NOT_LINKED).
  @Field(() => ID, {
    description: 'One of the data source’s key results. At most 100 characters.',
  })
  @IsString()
  @MaxLength(100)
  keyResultId!: string;

  @Field(() => Float, { description: 'The value.' })
  @IsNumber()
  value!: number;

  @Field(() => DateTimeScalar, { description: 'When the value was true.' })
  @IsDate()
  measuredAt!: Date;

  @Field(() => String, {
    nullable: true,
    description: 'The sender’s id for it (at most 200 characters, else refused on its own).',
  })
  @IsOptional()
  @IsString()
  externalId?: string | null;

  @Field(() => String, {
    nullable: true,
    description: 'A note, kept as the check-in’s progress (at most 5000 characters).',
  })
  @IsOptional()
  @IsString()
  note?: string | null;
}

@InputType('RecordMeasurementsInput', {
  description: `Up to ${MAX_MEASUREMENTS_PER_BATCH} measurements; each is accepted or refused on its own. Data source keys only.`,
})
export class RecordMeasurementsInput extends IdempotentInput {
  @Field(() => [MeasurementInput], { description: `1 to ${MAX_MEASUREMENTS_PER_BATCH}.` })
  @IsArray()
  @ArrayNotEmpty()
  @ArrayMaxSize(MAX_MEASUREMENTS_PER_BATCH)
  @ValidateNested({ each: true })
  @Type(() => MeasurementInput)
  measurements!: MeasurementInput[];
}

@ArgsType()
export class DataSourcesArgs {
  @Field(() => Boolean, {
    nullable: true,
    description: 'Only stale ones (true) or only fresh ones (false); all when absent.',
  })
  @IsOptional()
  @IsBoolean()
  stale?: boolean | null;
}
