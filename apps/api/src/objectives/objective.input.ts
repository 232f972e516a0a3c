import { ArgsType, Field, ID, InputType } from '@nestjs/graphql';
import type { Visibility } from '@okr-ledger/okr';
import {
  IsDate,
  IsEnum,
  IsNotEmpty,
  IsOptional,
  IsString,
  IsUUID,
  MaxLength,
} from 'class-validator';
import { ExplainedChangeInput, IdempotentInput } from '../okr/change.input';
import { VisibilityEnum } from './objective.model';
import { PageArgs } from '../okr/page-info.model';
import { DateTimeScalar } from '../graphql/date-time.scalar';

@InputType('SetObjectiveInput', {
  description: 'A new objective; aligned to a parent objective or a key result, or neither.',
})
export class SetObjectiveInput extends IdempotentInput {
  @Field(() => ID, { description: 'The cycle it belongs to. A UUID.' })
  @IsUUID()
  cycleId!: string;

  @Field(() => String, { description: 'What it wants to achieve. At most 300 characters.' })
  @IsString()
  @IsNotEmpty()
  @MaxLength(300)
  title!: string;

  @Field(() => String, {
    nullable: true,
    description: 'Longer free text. At most 5000 characters.',
  })
  @IsOptional()
  @IsString()
  @MaxLength(5000)
  description?: string | null;

  @Field(() => ID, {
    nullable: true,
    description: 'The person accountable for it. At most 200 characters.',
  })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  ownerId?: string | null;

  @Field(() => ID, { nullable: true, description: 'The team it belongs to. A UUID.' })
  @IsOptional()
  @IsUUID()
  teamId?: string | null;

  @Field(() => VisibilityEnum, {
    nullable: true,
    description: 'Who may see it; absent: PUBLIC with a team, PRIVATE without one.',
  })
  @IsOptional()
  @IsEnum(VisibilityEnum)
  visibility?: Visibility | null;

  @Field(() => ID, { nullable: true, description: 'Align it to this objective… A UUID.' })
  @IsOptional()
  @IsUUID()
  parentObjectiveId?: string | null;

  @Field(() => ID, { nullable: true, description: '…or to this key result (not both). A UUID.' })
  @IsOptional()
  @IsUUID()
  parentKeyResultId?: string | null;
}

@InputType('ReviseObjectiveInput', {
  description: 'Changes an objective’s definition; absent fields stay as they are.',
})
export class ReviseObjectiveInput extends ExplainedChangeInput {
  @Field(() => ID, { description: 'The objective to revise. A UUID.' })
  @IsUUID()
  objectiveId!: string;

  @Field(() => String, { nullable: true, description: 'The new title. At most 300 characters.' })
  @IsOptional()
  @IsString()
  @IsNotEmpty()
  @MaxLength(300)
  title?: string | null;

  @Field(() => String, {
    nullable: true,
    description: 'The new description. At most 5000 characters.',
  })
  @IsOptional()
  @IsString()
  @MaxLength(5000)
  description?: string | null;

  @Field(() => ID, { nullable: true, description: 'The new owner. At most 200 characters.' })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  ownerId?: string | null;

  @Field(() => ID, { nullable: true, description: 'The new team. A UUID.' })
  @IsOptional()
  @IsUUID()
  teamId?: string | null;
}

@InputType('AlignObjectiveInput', {
  description: 'Re-aligns an objective: to an objective, to a key result, or to neither (root).',
})
export class AlignObjectiveInput extends ExplainedChangeInput {
  @Field(() => ID, { description: 'The objective to align. A UUID.' })
  @IsUUID()
  objectiveId!: string;

  @Field(() => ID, { nullable: true, description: 'The new parent objective… A UUID.' })
  @IsOptional()
  @IsUUID()
  parentObjectiveId?: string | null;

  @Field(() => ID, { nullable: true, description: '…or the new parent key result. A UUID.' })
  @IsOptional()
  @IsUUID()
  parentKeyResultId?: string | null;
}

@InputType('ArchiveObjectiveInput', {
  description: 'Archives an objective: it keeps its history but stops counting.',
})
export class ArchiveObjectiveInput extends ExplainedChangeInput {
  @Field(() => ID, { description: 'The objective to archive. A UUID.' })
  @IsUUID()
  objectiveId!: string;
}

@InputType('ChangeObjectiveVisibilityInput', {
  description: 'Changes who may see an objective; a reason is required once its cycle started.',
})
export class ChangeObjectiveVisibilityInput extends ExplainedChangeInput {
  @Field(() => ID, { description: 'The objective. A UUID.' })
  @IsUUID()
  objectiveId!: string;

  @Field(() => VisibilityEnum, { description: 'Who may see it from now on.' })
  @IsEnum(VisibilityEnum)
  visibility!: Visibility;
}

@InputType('ShareObjectiveInput', {
  description: 'Lets one person see an objective whatever its visibility.',
})
export class ShareObjectiveInput extends IdempotentInput {
  @Field(() => ID, { description: 'The objective. A UUID.' })
  @IsUUID()
  objectiveId!: string;

  @Field(() => ID, {
    description: "The person (a token's sub). At most 200 characters.",
  })
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  personId!: string;
}

@InputType('UnshareObjectiveInput', {
  description:
    'Takes back a share: the person sees the objective only if its visibility lets them.',
})
export class UnshareObjectiveInput extends IdempotentInput {
  @Field(() => ID, { description: 'The objective. A UUID.' })
  @IsUUID()
  objectiveId!: string;

  @Field(() => ID, { description: 'The person it was shared with. At most 200 characters.' })
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  personId!: string;
}

@ArgsType()
export class ObjectivesArgs extends PageArgs {
  @Field(() => ID, {
    nullable: true,
    description: 'Only objectives of this cycle. At most 200 characters.',
  })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  cycleId?: string | null;

  @Field(() => ID, {
    nullable: true,
    description: 'Only objectives of this team. At most 200 characters.',
  })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  teamId?: string | null;

  @Field(() => ID, {
    nullable: true,
    description: 'Only objectives of this owner. At most 200 characters.',
  })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  ownerId?: string | null;
}

/** `objective(id, asOf, validAt)` and `keyResult(id, asOf, validAt)`. */
@ArgsType()
export class ByIdAsOfArgs {
  @Field(() => ID, { description: 'The id. At most 200 characters.' })
  @IsString()
  @MaxLength(200)
  id!: string;

  @Field(() => DateTimeScalar, {
    nullable: true,
    description: 'Answer as of this instant, folded from the events recorded at or before it.',
  })
  @IsOptional()
  @IsDate()
  asOf?: Date | null;

  @Field(() => DateTimeScalar, {
    nullable: true,
    description:
      'Answer what was true at this instant, as known now (or at asOf): values measured by then, whenever recorded; definitions as recorded by then.',
  })
  @IsOptional()
  @IsDate()
  validAt?: Date | null;
}
