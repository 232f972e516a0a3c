import { type MiddlewareConsumer, Module, type NestModule, RequestMethod } from '@nestjs/common';
import { ExplorerController } from './explorer.controller';
import { ExplorerMiddleware } from './explorer.middleware';

/** An offline GraphiQL at GET /graphql for browsers (Accept: text/html). */
@Module({ controllers: [ExplorerController] })
export class ExplorerModule implements NestModule {
  configure(consumer: MiddlewareConsumer): void {
    consumer.apply(ExplorerMiddleware).forRoutes({ path: 'graphql', method: RequestMethod.GET });
  }
}
