import { randomUUID } from 'node:crypto';
import {
  foldStream,
  handleCommand,
  IDEMPOTENCY_KEY,
  IdempotencyKeyReused,
  REQUEST_HASH,
  requestHash,
  type EventStore,
  type IdempotencyClaim,
} from '@okr-ledger/event-store';
import {
  AggregateNotFound,
  assessMeasurements,
  cycleDecider,
  cycleStream,
  DomainRuleViolation,
  keyResultDecider,
  keyResultStream,
  sourceInstantKey,
  type DataSource,
  type KeyResult,
  type KeyResultContext,
  type KeyResultMeasurement,
  type KeyResultState,
  type MeasurementCycle,
  type RecordMeasurements,
  type SourceMeasurement,
} from '@okr-ledger/okr';
import { metadataFor, type Actor } from './command-context';
import { FoldedStates } from './folded-state.cache';

/** The most measurements one request may carry (GraphQL and HTTP alike). */
export const MAX_MEASUREMENTS_PER_BATCH = 1000;
export const MAX_EXTERNAL_ID_LENGTH = 200;
export const MAX_MEASUREMENT_NOTE_LENGTH = 5000;
/** Key results written at once: the appends overlap, the pool (10 connections) is not drained. */
const CONCURRENT_KEY_RESULTS = 4;
// Measurements of one source commute with a person's check-ins: a conflict is re-decided.
const MEASUREMENT_RETRIES = 40;

/**
 * Refusals decided before the key result's rules (which give MEASURED_AT_INVALID,
 * MEASURED_IN_FUTURE, VALUE_NOT_FINITE, VALUE_NOT_MILESTONE, CYCLE_CLOSED):
 * - `KEY_RESULT_NOT_LINKED`: not one of this data source's key results (or no such key
 *   result: a source cannot tell another organisation's ids, or unlinked ones, from none);
 * - `EXTERNAL_ID_TOO_LONG` / `NOTE_TOO_LONG`: over 200 / 5000 characters.
 */
export const INGESTION_REFUSALS = [
  'KEY_RESULT_NOT_LINKED',
  'EXTERNAL_ID_TOO_LONG',
  'NOTE_TOO_LONG',
] as const;
export type IngestionRefusal = (typeof INGESTION_REFUSALS)[number];

export interface MeasurementInput {
  readonly keyResultId: string;
  readonly value: number;
  readonly measuredAt: string;
  readonly externalId?: string | null;
  readonly note?: string | null;
}

export interface RecordMeasurementsRequest {
  readonly measurements: readonly MeasurementInput[];
  /** Same key + same batch → the same results, nothing recorded twice; other batch → refused. */
  readonly idempotencyKey?: string | null;
}

export type MeasurementOutcome =
  | {
      readonly keyResultId: string;
      readonly measuredAt: string;
      readonly accepted: true;
      readonly reason: null;
      readonly checkInId: string;
      /** False when the source sent this value for this instant before. */
      readonly recorded: boolean;
      readonly correctsCheckInId: string | null;
    }
  | {
      readonly keyResultId: string;
      readonly measuredAt: string;
      readonly accepted: false;
      readonly reason: string;
      readonly checkInId: null;
    };

export interface RecordMeasurementsResult {
  /** One per measurement, in the order sent. */
  readonly outcomes: MeasurementOutcome[];
  /** The last global position written (to wait for the projections); null: nothing new. */
  readonly positions: string[];
}

interface Group {
  readonly keyResultId: string;
  /** Indexes into the batch, in order. */
  readonly indexes: number[];
  readonly measurements: KeyResultMeasurement[];
}

/**
 * Ingestion: a data source's batch checked, grouped by key result, then one handleCommand per
 * key result with the key-result decider's RecordMeasurements (each measurement accepted or
 * refused on its own there). Every event carries the source as actor and INTEGRATION.
 */
export class MeasurementCommands {
  constructor(
    private readonly store: EventStore,
    /**
     * Key results as last folded in this process, shared with the check-ins (OkrCommands): a
     * source's next batch reads and folds only the events after it (folding the whole stream
     * on every batch made batch time grow with it, bench/results/ingestion.json).
     */
    private readonly folded = new FoldedStates<KeyResultState>(),
  ) {}

  async record(
    actor: Actor,
    source: DataSource,
    request: RecordMeasurementsRequest,
    now: Date = new Date(),
  ): Promise<RecordMeasurementsResult> {
    const { measurements } = request;
    if (measurements.length === 0 || measurements.length > MAX_MEASUREMENTS_PER_BATCH) {
      throw new DomainRuleViolation(
        'INVALID_VALUE',
        'measurements',
        `a batch holds 1 to ${MAX_MEASUREMENTS_PER_BATCH} measurements, this one ${measurements.length}`,
      );
    }
    const outcomes: (MeasurementOutcome | undefined)[] = Array.from(
      { length: measurements.length },
      () => undefined,
    );
    const refuse = (index: number, reason: string) => {
      const m = measurements[index];
      outcomes[index] = {
        keyResultId: m?.keyResultId ?? '',
        measuredAt: m?.measuredAt ?? '',
        accepted: false,
        reason,
        checkInId: null,
      };
    };
    const linked = new Set(source.revoked ? [] : source.keyResultIds);
    const groups = new Map<string, Group>();
    measurements.forEach((m, index) => {
      if (!linked.has(m.keyResultId)) return refuse(index, 'KEY_RESULT_NOT_LINKED');
      if ((m.externalId?.length ?? 0) > MAX_EXTERNAL_ID_LENGTH)
        return refuse(index, 'EXTERNAL_ID_TOO_LONG');
      if ((m.note?.length ?? 0) > MAX_MEASUREMENT_NOTE_LENGTH)
        return refuse(index, 'NOTE_TOO_LONG');
      let group = groups.get(m.keyResultId);
      if (!group) {
        group = { keyResultId: m.keyResultId, indexes: [], measurements: [] };
        groups.set(m.keyResultId, group);
      }
      group.indexes.push(index);
      group.measurements.push({
        checkInId: randomUUID(),
        value: m.value,
        measuredAt: m.measuredAt,
        externalId: m.externalId ?? null,
        note: m.note ?? null,
      });
    });

    const hash =
      request.idempotencyKey === undefined || request.idempotencyKey === null
        ? null
        : requestHash('recordMeasurements', {
            dataSourceId: source.dataSourceId,
            measurements: measurements.map((m) => ({
              keyResultId: m.keyResultId,
              value: m.value,
              measuredAt: m.measuredAt,
              externalId: m.externalId ?? null,
              note: m.note ?? null,
            })),
          });
    const claimFor = (keyResultId: string): IdempotencyClaim | undefined =>
      hash === null || request.idempotencyKey === undefined || request.idempotencyKey === null
        ? undefined
        : {
            // One key per stream: event ids derive from it and must not collide across streams.
            key: `measurements:${source.dataSourceId}:${request.idempotencyKey}:${keyResultId}`,
            requestHash: hash,
          };
    // A reused key is refused before anything is written, wherever the source used it.
    if (hash !== null) await this.refuseReusedKey(actor, source, claimFor);

    const cycles = new Map<string, Promise<MeasurementCycle>>();
    const positions: string[] = [];
    const queue = [...groups.values()];
    const worker = async () => {
      for (let group = queue.shift(); group; group = queue.shift()) {
        const answered = await this.recordGroup(actor, source, group, now, cycles, claimFor);
        if (answered.position !== null) positions.push(answered.position);
        answered.outcomes.forEach((outcome, i) => {
          const index = group.indexes[i];
          if (index !== undefined) outcomes[index] = outcome;
        });
      }
    };
    await Promise.all(Array.from({ length: CONCURRENT_KEY_RESULTS }, worker));
    return { outcomes: outcomes.map((o, i) => o ?? missing(measurements[i])), positions };
  }

  private async refuseReusedKey(
    actor: Actor,
    source: DataSource,
    claimFor: (keyResultId: string) => IdempotencyClaim | undefined,
  ): Promise<void> {
    for (const keyResultId of source.keyResultIds) {
      const claim = claimFor(keyResultId);
      if (!claim) continue;
      const events = await this.store.readStream(keyResultStream(keyResultId));
      const used = events.find(
        (e) => e.metadata.tenantId === actor.tenantId && e.metadata[IDEMPOTENCY_KEY] === claim.key,
      );
      if (used && used.metadata[REQUEST_HASH] !== claim.requestHash) {
        throw new IdempotencyKeyReused(claim.key, keyResultStream(keyResultId));
      }
    }
  }

  private cycleOf(
    actor: Actor,
    cycleId: string,
    cycles: Map<string, Promise<MeasurementCycle>>,
  ): Promise<MeasurementCycle> {
    let cycle = cycles.get(cycleId);
    if (!cycle) {
      cycle = foldStream(this.store, cycleStream(cycleId), actor.tenantId, cycleDecider).then(
        ({ state, history }) => {
          if (state === null) throw new AggregateNotFound('Cycle', cycleId);
          const closed = history.find((e) => e.type === 'CycleClosed');
          return { status: state.status, closedAt: closed?.recordedAt.toISOString() ?? null };
        },
      );
      cycles.set(cycleId, cycle);
    }
    return cycle;
  }

  private async recordGroup(
    actor: Actor,
    source: DataSource,
    group: Group,
    now: Date,
    cycles: Map<string, Promise<MeasurementCycle>>,
    claimFor: (keyResultId: string) => IdempotencyClaim | undefined,
  ): Promise<{ outcomes: MeasurementOutcome[]; position: string | null }> {
    const data: RecordMeasurements['data'] = {
      keyResultId: group.keyResultId,
      dataSourceId: source.dataSourceId,
      measurements: group.measurements,
      now: now.toISOString(),
    };
    // What decide saw (the last attempt's), to answer each measurement as it was decided.
    const seen: { decidedOn: { state: KeyResultState; cycle: MeasurementCycle } | null } = {
      decidedOn: null,
    };
    const stream = keyResultStream(group.keyResultId);
    const claim = claimFor(group.keyResultId);
    let result;
    try {
      result = await handleCommand(
        this.store,
        stream,
        keyResultDecider,
        { type: 'RecordMeasurements', data },
        async (state: KeyResultState): Promise<KeyResultContext> => {
          if (state === null) return { cycleStatus: 'PLANNING' };
          const cycle = await this.cycleOf(actor, state.cycleId, cycles);
          seen.decidedOn = { state, cycle };
          return { cycleStatus: cycle.status, cycleClosedAt: cycle.closedAt };
        },
        {
          metadata: (state: KeyResultState) =>
            metadataFor(actor, { cycleId: state?.cycleId ?? '' }),
          retryOnConflict: MEASUREMENT_RETRIES,
          idempotency: claim,
          // A keyed batch folds the whole stream: its key may be in any earlier event.
          from: claim ? undefined : this.folded.get(actor.tenantId, stream),
        },
      );
    } catch (error) {
      this.folded.forget(actor.tenantId, stream);
      // Linked but gone from this organisation: refused like an unlinked one.
      if (error instanceof AggregateNotFound && error.aggregateType === 'KeyResult') {
        return {
          outcomes: group.indexes.map((_, i) => refused(group, i, 'KEY_RESULT_NOT_LINKED')),
          position: null,
        };
      }
      throw error;
    }
    if (!result.replayed && result.state !== null) {
      this.folded.set(actor.tenantId, stream, {
        state: result.state,
        revision: result.nextRevision,
      });
    }
    // A replay decided nothing: the batch is assessed against the state after its first
    // recording, where every value it recorded then is a resend of the same value.
    const basis: { state: KeyResultState; cycle: MeasurementCycle } | null = result.replayed
      ? result.state === null
        ? null
        : { state: result.state, cycle: await this.cycleOf(actor, result.state.cycleId, cycles) }
      : seen.decidedOn;
    if (basis === null || basis.state === null) {
      return {
        outcomes: group.indexes.map((_, i) => refused(group, i, 'KEY_RESULT_NOT_LINKED')),
        position: null,
      };
    }
    const { assessments } = assessMeasurements(
      withInstantsOf(basis.state, data),
      basis.cycle,
      data,
    );
    const outcomes = assessments.map((a, i): MeasurementOutcome => {
      const m = group.measurements[i];
      const measuredAt = m?.measuredAt ?? '';
      return a.accepted
        ? {
            keyResultId: group.keyResultId,
            measuredAt,
            accepted: true,
            reason: null,
            checkInId: a.checkInId,
            recorded: a.recorded && !result.replayed,
            correctsCheckInId: a.correctsCheckInId,
          }
        : {
            keyResultId: group.keyResultId,
            measuredAt,
            accepted: false,
            reason: a.reason,
            checkInId: null,
          };
    });
    return { outcomes, position: result.position };
  }
}

/**
 * The key result with only the batch's own (source, instant) entries: assessing a measurement
 * looks up its own instant alone, so the answers are the same, and each value assessed copies
 * a map of the batch's size instead of the stream's (profiled: that copy was the batch's cost).
 */
function withInstantsOf(state: KeyResult, data: RecordMeasurements['data']): KeyResult {
  const own = new Map<string, SourceMeasurement>();
  for (const m of data.measurements) {
    if (Number.isNaN(Date.parse(m.measuredAt))) continue;
    const key = sourceInstantKey(data.dataSourceId, m.measuredAt);
    const earlier = state.measurementsBySourceInstant.get(key);
    if (earlier) own.set(key, earlier);
  }
  return { ...state, measurementsBySourceInstant: own };
}

function refused(group: Group, i: number, reason: string): MeasurementOutcome {
  return {
    keyResultId: group.keyResultId,
    measuredAt: group.measurements[i]?.measuredAt ?? '',
    accepted: false,
    reason,
    checkInId: null,
  };
}

function missing(m: MeasurementInput | undefined): MeasurementOutcome {
  // Every index is answered above; this keeps the types total.
  return {
    keyResultId: m?.keyResultId ?? '',
    measuredAt: m?.measuredAt ?? '',
    accepted: false,
    reason: 'KEY_RESULT_NOT_LINKED',
    checkInId: null,
  };
}
