import { ArgsType, Field, ID } from '@nestjs/graphql';
import { IsDate, IsEnum, IsOptional, IsString, MaxLength } from 'class-validator';
import { ReplayIntervalEnum, type ReplayInterval } from '../okr/okr-enums.model';
import { DateTimeScalar } from '../graphql/date-time.scalar';

@ArgsType()
export class CycleReplayArgs {
  @Field(() => ID, { description: 'The cycle to replay. At most 200 characters.' })
  @IsString()
  @MaxLength(200)
  cycleId!: string;

  @Field(() => DateTimeScalar, {
    nullable: true,
    description: 'The first frame; the cycle’s start by default.',
  })
  @IsOptional()
  @IsDate()
  from?: Date | null;

  @Field(() => DateTimeScalar, {
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

  @Field(() => DateTimeScalar, {
    nullable: true,
    description:
      'Each frame then answers what was known at its instant about this valid time (ADR 0014): values measured by then, definitions recorded by then.',
  })
  @IsOptional()
  @IsDate()
  validAt?: Date | null;
}
