import { Global, Module } from '@nestjs/common';
import { PostgresEventStore, PostgresLedger, type EventStore } from '@okr-ledger/event-store';
import type { AppConfig } from '@okr-ledger/platform';
import { APP_CONFIG } from '../app.tokens';
import { EVENT_STORE } from '../okr/okr-api.tokens';
import { LedgerResolver } from './ledger.resolver';
import { LEDGER, LedgerService } from './ledger.service';

/** Signed checkpoints and proofs of each organisation's log; global for the cycle close. */
@Global()
@Module({
  providers: [
    {
      provide: LEDGER,
      inject: [EVENT_STORE, APP_CONFIG],
      useFactory: (store: EventStore, config: AppConfig): PostgresLedger | null =>
        store instanceof PostgresEventStore
          ? new PostgresLedger(store.pool, config.ledgerSigningKey)
          : null,
    },
    LedgerService,
    LedgerResolver,
  ],
  exports: [LedgerService],
})
export class LedgerModule {}
