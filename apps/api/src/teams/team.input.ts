import { Field, ID, InputType } from '@nestjs/graphql';
import { IsBoolean, IsNotEmpty, IsOptional, IsString, IsUUID, MaxLength } from 'class-validator';
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

@InputType('AddTeamMemberInput', {
  description:
    'Adds a person to a team, or changes whether a member leads it. By an ADMIN or a lead of the team.',
})
export class AddTeamMemberInput extends IdempotentInput {
  @Field(() => ID, { description: 'The team. A UUID.' })
  @IsUUID()
  teamId!: string;

  @Field(() => ID, { description: "The person (a token's sub). At most 200 characters." })
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  personId!: string;

  @Field(() => Boolean, {
    nullable: true,
    description:
      'Whether they lead the team (leads see TEAM objectives of the teams below and change its members); absent: false.',
  })
  @IsOptional()
  @IsBoolean()
  lead?: boolean | null;
}

@InputType('RemoveTeamMemberInput', {
  description: 'Removes a person from a team. By an ADMIN or a lead of the team.',
})
export class RemoveTeamMemberInput extends IdempotentInput {
  @Field(() => ID, { description: 'The team. A UUID.' })
  @IsUUID()
  teamId!: string;

  @Field(() => ID, { description: 'The member to remove. At most 200 characters.' })
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  personId!: string;
}
