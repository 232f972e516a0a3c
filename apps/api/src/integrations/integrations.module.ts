import type { IncomingMessage, ServerResponse } from 'node:http';
import { Module, type OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { AuthModule } from '../auth/auth.module';
import { DataSourcesModule } from '../data-sources/data-sources.module';
import { ERROR_CODES } from '../errors/api.errors';
import { describeTransportFailure } from '../graphql/http-transport';
import { IntegrationsController, sendJson } from './integrations.controller';

/** Plain HTTP beside GraphQL for data sources (ADR 0015). */
@Module({
  imports: [AuthModule, DataSourcesModule],
  controllers: [IntegrationsController],
})
export class IntegrationsModule implements OnModuleInit {
  constructor(private readonly adapterHost: HttpAdapterHost) {}

  /** An unreadable body (not JSON, too large, …) answers in the route's error shape too. */
  onModuleInit(): void {
    this.adapterHost.httpAdapter.use(
      '/integrations',
      // Express tells error handlers by their four parameters.
      (error: unknown, _req: IncomingMessage, res: ServerResponse, next: (e?: unknown) => void) => {
        if (res.headersSent) {
          next(error);
          return;
        }
        const { status, message } = describeTransportFailure(error);
        sendJson(res, status, {
          errors: [{ message, extensions: { code: ERROR_CODES.BAD_REQUEST } }],
        });
      },
    );
  }
}
