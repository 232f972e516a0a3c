import { Injectable } from '@nestjs/common';
import type { Identity } from '../auth/identity';

/**
 * The per-request DataLoaders on `context.loaders`. Empty here: each area adds its own by
 * module augmentation and registers a factory at start-up, for example
 *
 *   declare module '../graphql/request-loaders' {
 *     interface RequestLoaders { teamById: DataLoader<string, TeamModel | null> }
 *   }
 *   @Injectable() export class TeamLoaders implements OnModuleInit {
 *     constructor(private readonly registry: RequestLoadersRegistry, private readonly teams: TeamQueries) {}
 *     onModuleInit() {
 *       this.registry.register('teamById', ({ identity }) =>
 *         new DataLoader((ids) => this.teams.byIds(identity!.tenantId, ids)));
 *     }
 *   }
 */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type -- filled by module augmentation
export interface RequestLoaders {}

/** What a loader factory may depend on. Loaders are made per HTTP request, per subscription. */
export interface LoaderScope {
  readonly identity: Identity | null;
  /** Over `ws` a context lives as long as the subscription: consider `{ cache: false }`. */
  readonly transport: 'http' | 'ws';
}

export type LoaderFactory<K extends keyof RequestLoaders> = (
  scope: LoaderScope,
) => RequestLoaders[K];

/**
 * Singleton registry of loader factories. Not REQUEST-scoped on purpose: subscriptions
 * cannot use request-scoped providers, so loaders are built in the GraphQL context instead.
 */
@Injectable()
export class RequestLoadersRegistry {
  private readonly factories = new Map<PropertyKey, (scope: LoaderScope) => unknown>();

  register<K extends keyof RequestLoaders>(name: K, factory: LoaderFactory<K>): void {
    if (this.factories.has(name)) throw new Error(`Loader "${String(name)}" is registered twice`);
    this.factories.set(name, factory);
  }

  /** Fresh loaders for one request; each is built on first use, so unused ones cost nothing. */
  create(scope: LoaderScope): RequestLoaders {
    const loaders: Record<PropertyKey, unknown> = {};
    for (const [name, factory] of this.factories) {
      let built: { value: unknown } | undefined;
      Object.defineProperty(loaders, name, {
        enumerable: true,
        get: () => (built ??= { value: factory(scope) }).value,
      });
    }
    return loaders as unknown as RequestLoaders;
  }
}
