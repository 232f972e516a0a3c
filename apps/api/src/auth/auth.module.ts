import { Module } from '@nestjs/common';
import type { AppConfig } from '@okr-ledger/platform';
import { APP_CONFIG } from '../app.tokens';
import { TokenVerifier } from './token-verifier';

@Module({
  providers: [
    {
      provide: TokenVerifier,
      inject: [APP_CONFIG],
      useFactory: (config: AppConfig) => new TokenVerifier(config.auth),
    },
  ],
  exports: [TokenVerifier],
})
export class AuthModule {}
