import { Field, InputType, Int } from '@nestjs/graphql';
import { IsInt, IsNotEmpty, IsOptional, IsString, MaxLength, Min } from 'class-validator';

export const IDEMPOTENCY_KEY_DESCRIPTION =
  'Makes retries safe (e.g. after a lost reply or OUTCOME_UNKNOWN): the same key with the same input answers the first result and records nothing; with another input it is BAD_USER_INPUT. Keys are scoped to your organisation and kept in the ledger. At most 200 characters.';

/** Every recording mutation takes an optional idempotency key. */
@InputType({ isAbstract: true })
export abstract class IdempotentInput {
  @Field(() => String, { nullable: true, description: IDEMPOTENCY_KEY_DESCRIPTION })
  @IsOptional()
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  idempotencyKey?: string | null;
}

/** A change to an existing aggregate, guarded by the version the client last read. */
@InputType({ isAbstract: true })
export abstract class VersionedChangeInput extends IdempotentInput {
  @Field(() => Int, { nullable: true, description: 'The version you read; stale → CONFLICT.' })
  @IsOptional()
  @IsInt()
  @Min(0)
  expectedVersion?: number | null;
}

/** A versioned change that says why: the reason is kept in the event and the audit trail. */
@InputType({ isAbstract: true })
export abstract class ExplainedChangeInput extends VersionedChangeInput {
  @Field(() => String, {
    nullable: true,
    description: 'Why; shown in the audit trail. At most 2000 characters.',
  })
  @IsOptional()
  @IsString()
  @MaxLength(2000)
  reason?: string | null;
}
