import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import type { ReadModelQueries } from '@okr-ledger/read-models';
import type { TimeTravel } from '@okr-ledger/read-models';
import { UnauthenticatedError } from '../errors/api.errors';
import type { GraphqlContext } from '../graphql/graphql-context';
import { RequestLoadersRegistry } from '../graphql/request-loaders';
import { READ_MODELS, TIME_TRAVEL } from './okr-api.tokens';
import { OkrRequestLoaders } from './okr.loaders';

declare module '../graphql/request-loaders' {
  interface RequestLoaders {
    /** Teams, cycles, objectives and key results by id, current or as of an instant. */
    okr: OkrRequestLoaders;
  }
}

/** Puts the OKR loaders on every request's `context.loaders`. */
@Injectable()
export class OkrLoadersRegistration implements OnModuleInit {
  constructor(
    private readonly registry: RequestLoadersRegistry,
    @Inject(READ_MODELS) private readonly readModels: ReadModelQueries,
    @Inject(TIME_TRAVEL) private readonly timeTravel: TimeTravel,
  ) {}

  onModuleInit(): void {
    this.registry.register('okr', ({ identity, transport }) => {
      if (!identity) throw new UnauthenticatedError();
      return new OkrRequestLoaders(
        identity.tenantId,
        { personId: identity.actorId, roles: identity.roles },
        this.readModels,
        this.readModels.teams,
        (tenantId, at, viewer) => this.timeTravel.queriesAsOf(tenantId, at, viewer),
        transport === 'http',
      );
    });
  }
}

/** The OKR loaders of the request a resolver runs in. */
export const okrLoaders = (context: GraphqlContext): OkrRequestLoaders => context.loaders.okr;
