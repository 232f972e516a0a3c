import { Module } from '@nestjs/common';
import type { AppConfig } from '@okr-ledger/platform';
import type { EventStore } from '@okr-ledger/event-store';
import { APP_CONFIG } from '../app.tokens';
import { EVENT_STORE } from '../okr/okr-api.tokens';
import { DataSourceKeyVerifier } from './data-source-key.verifier';
import { TokenVerifier } from './token-verifier';

@Module({
  providers: [
    {
      provide: TokenVerifier,
      inject: [APP_CONFIG],
      useFactory: (config: AppConfig) => new TokenVerifier(config.auth),
    },
    {
      provide: DataSourceKeyVerifier,
      // Optional: an app without the OKR core (some tests) knows no data source.
      inject: [{ token: EVENT_STORE, optional: true }],
      useFactory: (store: EventStore | undefined) => new DataSourceKeyVerifier(store ?? null),
    },
  ],
  exports: [TokenVerifier, DataSourceKeyVerifier],
})
export class AuthModule {}
