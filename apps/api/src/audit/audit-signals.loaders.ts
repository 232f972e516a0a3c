import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import DataLoader from 'dataloader';
import type { AuditSignalView, ReadModelQueries } from '@okr-ledger/read-models';
import { UnauthenticatedError } from '../errors/api.errors';
import { RequestLoadersRegistry } from '../graphql/request-loaders';
import { READ_MODELS } from '../okr/okr-api.tokens';

declare module '../graphql/request-loaders' {
  interface RequestLoaders {
    /** Every audit signal of a key result, oldest first: one query for a whole tree. */
    auditSignals: DataLoader<string, readonly AuditSignalView[]>;
  }
}

/** Puts the audit-signal loader on every request's `context.loaders`. */
@Injectable()
export class AuditSignalLoadersRegistration implements OnModuleInit {
  constructor(
    private readonly registry: RequestLoadersRegistry,
    @Inject(READ_MODELS) private readonly readModels: ReadModelQueries,
  ) {}

  onModuleInit(): void {
    this.registry.register('auditSignals', ({ identity, transport }) => {
      if (!identity) throw new UnauthenticatedError();
      return new DataLoader<string, readonly AuditSignalView[]>(
        async (keyResultIds) => {
          const signals = await this.readModels.auditSignals.byKeyResultIds(identity.tenantId, [
            ...keyResultIds,
          ]);
          const byKeyResult = new Map<string, AuditSignalView[]>();
          for (const signal of signals) {
            const list = byKeyResult.get(signal.keyResultId);
            if (list) list.push(signal);
            else byKeyResult.set(signal.keyResultId, [signal]);
          }
          return keyResultIds.map((id) => byKeyResult.get(id) ?? []);
        },
        // A subscription's context lives on: signals raised later must still show.
        { cache: transport === 'http' },
      );
    });
  }
}
