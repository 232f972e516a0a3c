import { Inject, Injectable } from '@nestjs/common';
import { HealthIndicatorService } from '@nestjs/terminus';
import type { ProjectionProgress } from '@okr-ledger/read-models';
import { PROJECTION_PROGRESS } from '../okr/okr-api.tokens';

/** What /health shows of a stall: not the error text, which may quote a tenant's data. */
export interface StallSummary {
  readonly projection: string;
  readonly tenantId: string;
  readonly position: string;
  readonly eventType: string;
  readonly stalledAt: string;
}

/**
 * `projections` in /health: each projection's checkpoint and how far behind the log it is,
 * and the projections halted for a tenant by an event they could not apply (ADR 0006).
 * Lag and stalls keep it up (a busy projector catches up; a stall concerns one tenant and
 * the others are served, see HealthController); only failing to read them is down.
 */
@Injectable()
export class ProjectionLagIndicator {
  constructor(
    private readonly indicators: HealthIndicatorService,
    @Inject(PROJECTION_PROGRESS) private readonly progress: ProjectionProgress,
  ) {}

  async check(key = 'projections') {
    const indicator = this.indicators.check(key);
    try {
      const [lag, stalls] = await Promise.all([this.progress.lag(), this.progress.allStalls()]);
      return indicator.up({
        lag: Object.fromEntries(
          lag.map((l) => [
            l.projection,
            {
              checkpoint: l.checkpoint,
              eventsBehind: l.eventsBehind,
              millisecondsBehind: l.millisecondsBehind,
            },
          ]),
        ),
        stalls: stalls.map((s): StallSummary => ({
          projection: s.projection,
          tenantId: s.tenantId,
          position: s.position,
          eventType: s.eventType,
          stalledAt: s.stalledAt.toISOString(),
        })),
      });
    } catch (error) {
      return indicator.down({ message: error instanceof Error ? error.message : String(error) });
    }
  }
}
