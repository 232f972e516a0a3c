import { Controller, Get, Header, Inject } from '@nestjs/common';
import type { ProjectionProgress, Projector } from '@okr-ledger/read-models';
import { Registry } from 'prom-client';
import { PROJECTION_PROGRESS, PROJECTOR } from '../okr/okr-api.tokens';
import { OkrMetrics } from './okr-metrics';

/** `GET /metrics`: Prometheus text format, no token (like /health); scrape it from inside. */
@Controller('metrics')
export class MetricsController {
  constructor(
    private readonly metrics: OkrMetrics,
    @Inject(PROJECTION_PROGRESS) private readonly progress: ProjectionProgress,
    @Inject(PROJECTOR) private readonly projector: Projector,
  ) {}

  @Get()
  @Header('Content-Type', Registry.PROMETHEUS_CONTENT_TYPE)
  @Header('Cache-Control', 'no-store')
  async scrape(): Promise<string> {
    // Lag is read now rather than kept up to date: a few small queries per scrape, none per
    // batch, and the projector stays untouched.
    try {
      this.metrics.recordLag(await this.progress.lag());
    } catch {
      this.metrics.lagReadable.set(0);
    }
    for (const { name } of this.projector.projections) {
      this.metrics.projectionActive.set(
        { projection: name },
        this.projector.isActive(name) ? 1 : 0,
      );
    }
    return this.metrics.registry.metrics();
  }
}
