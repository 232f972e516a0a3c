import { ArgsType, Field, GraphQLISODateTime, ID } from '@nestjs/graphql';
import { IsDate, IsEnum, IsOptional, IsString } from 'class-validator';
import { ReplayIntervalEnum, type ReplayInterval } from '../okr/okr-enums.model';

@ArgsType()
export class CycleReplayArgs {
  @Field(() => ID, { description: 'The cycle to replay.' })
  @IsString()
  cycleId!: string;

  @Field(() => GraphQLISODateTime, {
    nullable: true,
    description: 'The first frame; the cycle’s start by default.',
  })
  @IsOptional()
  @IsDate()
  from?: Date | null;

  @Field(() => GraphQLISODateTime, {
    nullable: true,
    description: 'The last frame; the earlier of the cycle’s end and now by default.',
  })
  @IsOptional()
  @IsDate()
  to?: Date | null;

  @Field(() => ReplayIntervalEnum, {
    defaultValue: 'WEEK',
    description: 'The step between frames.',
  })
  @IsEnum(ReplayIntervalEnum)
  every!: ReplayInterval;
}
