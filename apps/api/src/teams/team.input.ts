import { Field, ID, InputType, Int } from '@nestjs/graphql';
import { IsInt, IsNotEmpty, IsOptional, IsString, IsUUID, MaxLength, Min } from 'class-validator';

@InputType('CreateTeamInput', { description: 'A new team, optionally under a parent team.' })
export class CreateTeamInput {
  @Field(() => String, { description: 'The team name.' })
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  name!: string;

  @Field(() => ID, { nullable: true, description: 'The parent team, if any.' })
  @IsOptional()
  @IsUUID()
  parentTeamId?: string | null;
}

@InputType('RenameTeamInput', { description: 'A new name for a team.' })
export class RenameTeamInput {
  @Field(() => ID, { description: 'The team to rename.' })
  @IsUUID()
  teamId!: string;

  @Field(() => String, { description: 'The new name.' })
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  name!: string;

  @Field(() => Int, { nullable: true, description: 'The version you read; stale → CONFLICT.' })
  @IsOptional()
  @IsInt()
  @Min(0)
  expectedVersion?: number | null;
}

@InputType('MoveTeamInput', { description: 'Moves a team under another parent (or to the root).' })
export class MoveTeamInput {
  @Field(() => ID, { description: 'The team to move.' })
  @IsUUID()
  teamId!: string;

  @Field(() => ID, { nullable: true, description: 'The new parent; null makes it a root team.' })
  @IsOptional()
  @IsUUID()
  parentTeamId?: string | null;

  @Field(() => Int, { nullable: true, description: 'The version you read; stale → CONFLICT.' })
  @IsOptional()
  @IsInt()
  @Min(0)
  expectedVersion?: number | null;
}
