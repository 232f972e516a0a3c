import { Field, InputType, Int } from '@nestjs/graphql';
import { IsInt, IsOptional, IsString, MaxLength, Min } from 'class-validator';

/** A change to an existing aggregate, guarded by the version the client last read. */
@InputType({ isAbstract: true })
export abstract class VersionedChangeInput {
  @Field(() => Int, { nullable: true, description: 'The version you read; stale → CONFLICT.' })
  @IsOptional()
  @IsInt()
  @Min(0)
  expectedVersion?: number | null;
}

/** A versioned change that says why: the reason is kept in the event and the audit trail. */
@InputType({ isAbstract: true })
export abstract class ExplainedChangeInput extends VersionedChangeInput {
  @Field(() => String, { nullable: true, description: 'Why; shown in the audit trail.' })
  @IsOptional()
  @IsString()
  @MaxLength(2000)
  reason?: string | null;
}
