import { AggregateNotFound, DomainRuleViolation } from '@okr-ledger/okr';

/**
 * The cycle has no event of this tenant (at or before the instant asked about). It extends
 * the domain's `AggregateNotFound`, so the API's existing NOT_FOUND mapping applies as is.
 */
export class CycleNotFound extends AggregateNotFound {
  constructor(cycleId: string) {
    super('Cycle', cycleId);
  }
}

/**
 * `to` before `from` (or a non-date). An `INVALID_VALUE` domain rule, so the API answers
 * BAD_USER_INPUT naming the field, like every other invalid input.
 */
export class InvalidReplayRange extends DomainRuleViolation {
  constructor(
    readonly from: Date,
    readonly to: Date,
  ) {
    super(
      'INVALID_VALUE',
      'to',
      `to (${isoOrInvalid(to)}) must not be before from (${isoOrInvalid(from)})`,
    );
  }
}

/** The replay would produce more frames than allowed: ask for a shorter range or WEEK. */
export class TooManyReplayFrames extends DomainRuleViolation {
  constructor(
    readonly frames: number,
    readonly maxFrames: number,
  ) {
    super(
      'INVALID_VALUE',
      'every',
      `the replay would have ${frames} frames, more than ${maxFrames}: shorten from..to or use WEEK`,
    );
  }
}

function isoOrInvalid(date: Date): string {
  return Number.isNaN(date.getTime()) ? 'invalid date' : date.toISOString();
}
