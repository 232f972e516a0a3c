import {
  AppendOutcomeUnknown,
  EventStoreUnavailable,
  WrongExpectedVersion,
} from '@okr-ledger/event-store';
import type { ProjectionLag } from '@okr-ledger/read-models';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

// Seconds; the floor of a request is ~1 ms, a check-in ~10–250 ms, a cold page ~0.5 s.
const LATENCY_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
// Events per projection batch; live batches hold at most 500, rebuild pages 5000.
const BATCH_BUCKETS = [1, 2, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000];

/** How an append ended, as a label: a conflict is a client's stale version, not a fault. */
export function appendOutcome(error: unknown): 'conflict' | 'unavailable' | 'unknown' | 'error' {
  if (error instanceof WrongExpectedVersion) return 'conflict';
  if (error instanceof EventStoreUnavailable) return 'unavailable';
  // Sent, reply lost: stored or not (a keyed retry stores it at most once).
  if (error instanceof AppendOutcomeUnknown) return 'unknown';
  return 'error';
}

/**
 * Every metric `GET /metrics` shows, in a registry of its own (not prom-client's global one),
 * so that several API instances in one process (tests) each count their own requests.
 */
export class OkrMetrics {
  readonly registry = new Registry();

  readonly requests = new Counter({
    name: 'okr_graphql_requests_total',
    help: 'GraphQL requests over HTTP by operation name (root fields when anonymous) and type.',
    labelNames: ['operation', 'type'] as const,
    registers: [this.registry],
  });

  readonly requestDuration = new Histogram({
    name: 'okr_graphql_request_duration_seconds',
    help: 'Time from Apollo receiving a GraphQL request to its response, by operation and type.',
    labelNames: ['operation', 'type'] as const,
    buckets: LATENCY_BUCKETS,
    registers: [this.registry],
  });

  readonly responses = new Counter({
    name: 'okr_graphql_responses_total',
    help: 'GraphQL responses by operation, type and outcome: OK or the first error code.',
    labelNames: ['operation', 'type', 'code'] as const,
    registers: [this.registry],
  });

  readonly mutationOutcomes = new Counter({
    name: 'okr_graphql_mutation_outcomes_total',
    help: 'Mutations by operation and outcome: OK or the extensions.code of the first error.',
    labelNames: ['operation', 'code'] as const,
    registers: [this.registry],
  });

  readonly appendDuration = new Histogram({
    name: 'okr_event_store_append_duration_seconds',
    help: 'Event store appends made by commands, by outcome (ok, conflict, unavailable, unknown, error).',
    labelNames: ['outcome'] as const,
    buckets: LATENCY_BUCKETS,
    registers: [this.registry],
  });

  readonly appendedEvents = new Counter({
    name: 'okr_event_store_appended_events_total',
    help: 'Events appended by commands of this instance.',
    registers: [this.registry],
  });

  readonly projectionBatch = new Histogram({
    name: 'okr_projection_batch_events',
    help: 'Events per batch a projection applied in this instance (live batches and rebuild pages).',
    labelNames: ['projection'] as const,
    buckets: BATCH_BUCKETS,
    registers: [this.registry],
  });

  readonly projectionBatchDuration = new Histogram({
    name: 'okr_projection_batch_apply_duration_seconds',
    help: "Time a projection's apply took per batch (inside its transaction, commit excluded).",
    labelNames: ['projection'] as const,
    buckets: LATENCY_BUCKETS,
    registers: [this.registry],
  });

  readonly projectionLagEvents = new Gauge({
    name: 'okr_projection_lag_events',
    help: 'Events of its types after the projection checkpoint (capped), read at scrape time.',
    labelNames: ['projection'] as const,
    registers: [this.registry],
  });

  readonly projectionLagSeconds = new Gauge({
    name: 'okr_projection_lag_seconds',
    help: 'Age of the oldest event the projection has not applied yet, read at scrape time.',
    labelNames: ['projection'] as const,
    registers: [this.registry],
  });

  readonly projectionActive = new Gauge({
    name: 'okr_projection_active',
    help: '1 when this instance runs the projection (holds its lock), else 0.',
    labelNames: ['projection'] as const,
    registers: [this.registry],
  });

  readonly lagReadable = new Gauge({
    name: 'okr_projection_lag_up',
    help: '1 when the projection lag could be read at this scrape, 0 when reading it failed.',
    registers: [this.registry],
  });

  constructor() {
    // CPU, memory, event-loop delay and GC of this process, prefixed as prom-client does.
    collectDefaultMetrics({ register: this.registry });
  }

  /** Sets the lag gauges from one `ProjectionProgress.lag()` reading. */
  recordLag(lag: readonly ProjectionLag[]): void {
    this.projectionLagEvents.reset();
    this.projectionLagSeconds.reset();
    for (const l of lag) {
      this.projectionLagEvents.set({ projection: l.projection }, l.eventsBehind);
      this.projectionLagSeconds.set({ projection: l.projection }, l.millisecondsBehind / 1000);
    }
    this.lagReadable.set(1);
  }
}
