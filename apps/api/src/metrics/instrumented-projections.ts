import type { Projection } from '@okr-ledger/read-models';
import type { OkrMetrics } from './okr-metrics';

/**
 * The projections with each batch's size and apply time recorded, for the projector to run
 * (the projector itself stays untouched). Same names, versions and tables, so checkpoints
 * and rebuild decisions are unchanged.
 */
export function instrumentProjections(
  projections: readonly Projection[],
  metrics: OkrMetrics,
): Projection[] {
  return projections.map((projection) => ({
    ...projection,
    async apply(events, client) {
      const labels = { projection: projection.name };
      metrics.projectionBatch.observe(labels, events.length);
      const end = metrics.projectionBatchDuration.startTimer(labels);
      try {
        await projection.apply(events, client);
      } finally {
        end();
      }
    },
  }));
}
