import { Field, ID, InputType } from '@nestjs/graphql';
import { IsNotEmpty, IsOptional, IsString, IsUUID, MaxLength } from 'class-validator';
import { IdempotentInput, VersionedChangeInput } from '../okr/change.input';

@InputType('CreateTeamInput', { description: 'A new team, optionally under a parent team.' })
export class CreateTeamInput extends IdempotentInput {
  @Field(() => String, { description: 'The team name. At most 200 characters.' })
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  name!: string;

  @Field(() => ID, { nullable: true, description: 'The parent team, if any. A UUID.' })
  @IsOptional()
  @IsUUID()
  parentTeamId?: string | null;
}

@InputType('RenameTeamInput', { description: 'A new name for a team.' })
export class RenameTeamInput extends VersionedChangeInput {
  @Field(() => ID, { description: 'The team to rename. A UUID.' })
  @IsUUID()
  teamId!: string;

  @Field(() => String, { description: 'The new name. At most 200 characters.' })
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  name!: string;
}

@InputType('MoveTeamInput', { description: 'Moves a team under another parent (or to the root).' })
export class MoveTeamInput extends VersionedChangeInput {
  @Field(() => ID, { description: 'The team to move. A UUID.' })
  @IsUUID()
  teamId!: string;

  @Field(() => ID, {
    nullable: true,
    description: 'The new parent; null makes it a root team. A UUID.',
  })
  @IsOptional()
  @IsUUID()
  parentTeamId?: string | null;
}
