import { type DynamicModule, Module } from '@nestjs/common';
import { AlignmentModule } from './alignment/alignment.module';
import { AuditModule } from './audit/audit.module';
import { CheckInsModule } from './check-ins/check-ins.module';
import { CyclesModule } from './cycles/cycles.module';
import { DataSourcesModule } from './data-sources/data-sources.module';
import { IntegrationsModule } from './integrations/integrations.module';
import { KeyResultsModule } from './key-results/key-results.module';
import { LedgerModule } from './ledger/ledger.module';
import { ObjectivesModule } from './objectives/objectives.module';
import { OkrCoreModule, OkrLifecycle } from './okr/okr-core.module';
import { ReplayModule } from './replay/replay.module';
import { SubscriptionsModule } from './subscriptions/subscriptions.module';
import { TeamsModule } from './teams/teams.module';

/**
 * The OKR API: the core providers and one module per area. Imports run one way: the app
 * imports the areas and the core, the areas import the core (apps/api/src/okr), never back.
 */
@Module({})
export class OkrApiModule {
  static forRoot(options: { readonly databaseUrl: string }): DynamicModule {
    return {
      module: OkrApiModule,
      imports: [
        OkrCoreModule.forRoot(options),
        TeamsModule,
        CyclesModule,
        ObjectivesModule,
        KeyResultsModule,
        CheckInsModule,
        AuditModule,
        LedgerModule,
        AlignmentModule,
        ReplayModule,
        SubscriptionsModule,
        DataSourcesModule,
        IntegrationsModule,
      ],
      providers: [OkrLifecycle],
    };
  }
}
