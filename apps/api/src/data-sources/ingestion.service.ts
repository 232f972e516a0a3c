import { Inject, Injectable } from '@nestjs/common';
import type {
  MeasurementInput,
  MeasurementOutcome,
  OkrCommands,
  RecordMeasurementsResult,
} from '@okr-ledger/commands';
import { maxPosition } from '@okr-ledger/event-store';
import type { Identity } from '../auth/identity';
import { ForbiddenError } from '../errors/api.errors';
import { OKR_COMMANDS } from '../okr/okr-api.tokens';

/** What GraphQL's recordMeasurements and POST /integrations/measurements share. */
@Injectable()
export class IngestionService {
  constructor(@Inject(OKR_COMMANDS) private readonly commands: OkrCommands) {}

  /**
   * Records a data source's batch. The caller must be a data source (its key): a person's
   * token is FORBIDDEN, whatever its roles. Each event names the source as actor.
   */
  async record(
    identity: Identity,
    measurements: readonly MeasurementInput[],
    idempotencyKey: string | null | undefined,
  ): Promise<RecordMeasurementsResult & { readonly lastPosition: string | null }> {
    const source = identity.dataSource;
    if (!source) {
      throw new ForbiddenError('Measurements are recorded with a data source key, not a token.');
    }
    const result = await this.commands.measurements.record(
      { tenantId: identity.tenantId, actorId: identity.actorId, source: 'integration' },
      source,
      { measurements, idempotencyKey },
    );
    const lastPosition = result.positions.reduce<string | null>(
      (max, p) => (max === null ? p : maxPosition(max, p)),
      null,
    );
    return { ...result, lastPosition };
  }
}

/** The JSON answer of one measurement over HTTP (the GraphQL shape, with the check-in's id). */
export function measurementJson(outcome: MeasurementOutcome) {
  return {
    keyResultId: outcome.keyResultId,
    measuredAt: outcome.measuredAt,
    accepted: outcome.accepted,
    reason: outcome.reason,
    checkIn: outcome.checkInId === null ? null : { id: outcome.checkInId },
  };
}
