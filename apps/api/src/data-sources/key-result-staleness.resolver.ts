import { Context, Parent, ResolveField, Resolver } from '@nestjs/graphql';
import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import type { DataSourceQueries } from '@okr-ledger/read-models';
import DataLoader from 'dataloader';
import { UnauthenticatedError } from '../errors/api.errors';
import type { GraphqlContext } from '../graphql/graphql-context';
import { RequestLoadersRegistry } from '../graphql/request-loaders';
import { KeyResultModel } from '../key-results/key-result.model';
import { DATA_SOURCE_QUERIES } from './data-sources.tokens';

declare module '../graphql/request-loaders' {
  interface RequestLoaders {
    /** Whether each key result's integration feed is stale, now. */
    keyResultStale: DataLoader<string, boolean>;
  }
}

/** One query per request for every key result's staleness asked. */
@Injectable()
export class KeyResultStalenessLoaders implements OnModuleInit {
  constructor(
    private readonly registry: RequestLoadersRegistry,
    @Inject(DATA_SOURCE_QUERIES) private readonly dataSources: DataSourceQueries,
  ) {}

  onModuleInit(): void {
    this.registry.register('keyResultStale', ({ identity }) => {
      if (!identity) throw new UnauthenticatedError();
      return new DataLoader<string, boolean>(async (ids) => {
        const feeds = await this.dataSources.feedsOf(identity.tenantId, ids);
        return ids.map((id) => feeds.get(id)?.stale ?? false);
      });
    });
  }
}

@Resolver(() => KeyResultModel)
export class KeyResultStalenessResolver {
  @ResolveField('stale', () => Boolean, {
    description:
      'Fed by data sources and none sent a value for longer than its expected interval (now, also for asOf). False when no data source feeds it.',
  })
  async stale(@Parent() keyResult: KeyResultModel, @Context() ctx: GraphqlContext) {
    return ctx.loaders.keyResultStale.load(keyResult.id);
  }
}
