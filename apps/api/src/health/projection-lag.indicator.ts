import { Inject, Injectable } from '@nestjs/common';
import { HealthIndicatorService } from '@nestjs/terminus';
import type { ProjectionProgress } from '@okr-ledger/read-models';
import { PROJECTION_PROGRESS } from '../okr/okr-api.tokens';

/**
 * `projections` in /health: each projection's checkpoint and how far behind the log it is.
 * Lag alone keeps it up (a busy projector catches up); only failing to read it is down.
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
      const lag = await this.progress.lag();
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
      });
    } catch (error) {
      return indicator.down({ message: error instanceof Error ? error.message : String(error) });
    }
  }
}
