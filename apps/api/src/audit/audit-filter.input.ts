import { Field, ID, InputType } from '@nestjs/graphql';
import {
  ArrayMaxSize,
  IsBoolean,
  IsDate,
  IsIn,
  IsOptional,
  IsString,
  MaxLength,
} from 'class-validator';
import { AUDIT_SIGNAL_KINDS, OKR_EVENT_TYPES, type AuditSignalKind } from '@okr-ledger/okr';
import { DateTimeScalar } from '../graphql/date-time.scalar';
import { AuditSignalKindEnum } from './audit-signal.model';

@InputType('AuditFilter', {
  description: 'Narrows the audit trail; every given condition must hold.',
})
export class AuditFilterInput {
  @Field(() => ID, {
    nullable: true,
    description:
      'Only events of this team, cycle, objective or key result. At most 200 characters.',
  })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  aggregateId?: string | null;

  @Field(() => ID, {
    nullable: true,
    description: 'Only events of this cycle (and everything in it). At most 200 characters.',
  })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  cycleId?: string | null;

  @Field(() => ID, {
    nullable: true,
    description: 'Only events caused by this actor. At most 200 characters.',
  })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  actorId?: string | null;

  @Field(() => [String], {
    nullable: true,
    description: `Only these event types (${OKR_EVENT_TYPES.join(', ')}).`,
  })
  @IsOptional()
  @ArrayMaxSize(OKR_EVENT_TYPES.length)
  @IsIn(OKR_EVENT_TYPES, { each: true })
  eventTypes?: string[] | null;

  @Field(() => DateTimeScalar, {
    nullable: true,
    description: 'Recorded at or after this instant.',
  })
  @IsOptional()
  @IsDate()
  from?: Date | null;

  @Field(() => DateTimeScalar, {
    nullable: true,
    description: 'Recorded at or before this instant.',
  })
  @IsOptional()
  @IsDate()
  to?: Date | null;

  @Field(() => Boolean, {
    nullable: true,
    description: 'Only changes made while their cycle was ACTIVE (mid-quarter changes).',
  })
  @IsOptional()
  @IsBoolean()
  duringActiveCycleOnly?: boolean | null;

  @Field(() => [AuditSignalKindEnum], {
    nullable: true,
    description:
      'Only events that a signal of one of these kinds rests on (AuditSignal.restsOn); empty or absent: no such condition.',
  })
  @IsOptional()
  @ArrayMaxSize(AUDIT_SIGNAL_KINDS.length)
  @IsIn(AUDIT_SIGNAL_KINDS, { each: true })
  signals?: AuditSignalKind[] | null;
}
