import { ArgsType, Field, ID, InputType } from '@nestjs/graphql';
import { IsDate, IsNotEmpty, IsOptional, IsString, IsUUID, MaxLength } from 'class-validator';
import { ExplainedChangeInput, IdempotentInput } from '../okr/change.input';
import { PageArgs } from '../okr/page-info.model';
import { DateTimeScalar } from '../graphql/date-time.scalar';

@InputType('SetObjectiveInput', {
  description: 'A new objective; aligned to a parent objective or a key result, or neither.',
})
export class SetObjectiveInput extends IdempotentInput {
  @Field(() => ID, { description: 'The cycle it belongs to.' })
  @IsUUID()
  cycleId!: string;

  @Field(() => String, { description: 'What it wants to achieve.' })
  @IsString()
  @IsNotEmpty()
  @MaxLength(300)
  title!: string;

  @Field(() => String, { nullable: true, description: 'Longer free text.' })
  @IsOptional()
  @IsString()
  @MaxLength(5000)
  description?: string | null;

  @Field(() => ID, { nullable: true, description: 'The person accountable for it.' })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  ownerId?: string | null;

  @Field(() => ID, { nullable: true, description: 'The team it belongs to.' })
  @IsOptional()
  @IsUUID()
  teamId?: string | null;

  @Field(() => ID, { nullable: true, description: 'Align it to this objective…' })
  @IsOptional()
  @IsUUID()
  parentObjectiveId?: string | null;

  @Field(() => ID, { nullable: true, description: '…or to this key result (not both).' })
  @IsOptional()
  @IsUUID()
  parentKeyResultId?: string | null;
}

@InputType('ReviseObjectiveInput', {
  description: 'Changes an objective’s definition; absent fields stay as they are.',
})
export class ReviseObjectiveInput extends ExplainedChangeInput {
  @Field(() => ID, { description: 'The objective to revise.' })
  @IsUUID()
  objectiveId!: string;

  @Field(() => String, { nullable: true, description: 'The new title.' })
  @IsOptional()
  @IsString()
  @IsNotEmpty()
  @MaxLength(300)
  title?: string | null;

  @Field(() => String, { nullable: true, description: 'The new description.' })
  @IsOptional()
  @IsString()
  @MaxLength(5000)
  description?: string | null;

  @Field(() => ID, { nullable: true, description: 'The new owner.' })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  ownerId?: string | null;

  @Field(() => ID, { nullable: true, description: 'The new team.' })
  @IsOptional()
  @IsUUID()
  teamId?: string | null;
}

@InputType('AlignObjectiveInput', {
  description: 'Re-aligns an objective: to an objective, to a key result, or to neither (root).',
})
export class AlignObjectiveInput extends ExplainedChangeInput {
  @Field(() => ID, { description: 'The objective to align.' })
  @IsUUID()
  objectiveId!: string;

  @Field(() => ID, { nullable: true, description: 'The new parent objective…' })
  @IsOptional()
  @IsUUID()
  parentObjectiveId?: string | null;

  @Field(() => ID, { nullable: true, description: '…or the new parent key result.' })
  @IsOptional()
  @IsUUID()
  parentKeyResultId?: string | null;
}

@InputType('ArchiveObjectiveInput', {
  description: 'Archives an objective: it keeps its history but stops counting.',
})
export class ArchiveObjectiveInput extends ExplainedChangeInput {
  @Field(() => ID, { description: 'The objective to archive.' })
  @IsUUID()
  objectiveId!: string;
}

@ArgsType()
export class ObjectivesArgs extends PageArgs {
  @Field(() => ID, { nullable: true, description: 'Only objectives of this cycle.' })
  @IsOptional()
  @IsString()
  cycleId?: string | null;

  @Field(() => ID, { nullable: true, description: 'Only objectives of this team.' })
  @IsOptional()
  @IsString()
  teamId?: string | null;

  @Field(() => ID, { nullable: true, description: 'Only objectives of this owner.' })
  @IsOptional()
  @IsString()
  ownerId?: string | null;
}

/** `objective(id, asOf)` and `keyResult(id, asOf)`. */
@ArgsType()
export class ByIdAsOfArgs {
  @Field(() => ID, { description: 'The id.' })
  @IsString()
  id!: string;

  @Field(() => DateTimeScalar, {
    nullable: true,
    description: 'Answer as of this instant, folded from the events recorded at or before it.',
  })
  @IsOptional()
  @IsDate()
  asOf?: Date | null;
}
