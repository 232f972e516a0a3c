import { Inject } from '@nestjs/common';
import { Args, Context, Mutation, Parent, Query, ResolveField, Resolver } from '@nestjs/graphql';
import type { CommandResult, OkrCommands } from '@okr-ledger/commands';
import type { EventStore } from '@okr-ledger/event-store';
import { dataSourceDecider, dataSourceStream, keyResultStream } from '@okr-ledger/okr';
import {
  checkInOfEvent,
  DataSourceQueries,
  type DataSourceView,
  type ReadModelQueries,
} from '@okr-ledger/read-models';
import { CurrentIdentity } from '../auth/current-identity.decorator';
import { isAdmin, type Identity } from '../auth/identity';
import { CheckInModel } from '../check-ins/check-in.model';
import {
  ApiError,
  ERROR_CODES,
  ForbiddenError,
  WriteNotYetVisibleError,
} from '../errors/api.errors';
import type { GraphqlContext } from '../graphql/graphql-context';
import { KeyResultModel } from '../key-results/key-result.model';
import { EVENT_STORE, OKR_COMMANDS, READ_MODELS } from '../okr/okr-api.tokens';
import { okrLoaders } from '../okr/okr-loaders.registration';
import { OkrWrites } from '../okr/okr-writes.service';
import {
  DataSourcesArgs,
  RecordMeasurementsInput,
  RegisterDataSourceInput,
  RevokeDataSourceKeyInput,
  RotateDataSourceKeyInput,
} from './data-source.input';
import {
  DataSourceModel,
  MeasurementResultModel,
  RegisteredDataSourceModel,
} from './data-source.model';
import { DATA_SOURCE_QUERIES } from './data-sources.tokens';
import { IngestionService } from './ingestion.service';

function requireAdmin(identity: Identity): void {
  if (!isAdmin(identity)) throw new ForbiddenError('Data sources are managed by an ADMIN.');
}

@Resolver(() => DataSourceModel)
export class DataSourcesResolver {
  constructor(
    @Inject(OKR_COMMANDS) private readonly commands: OkrCommands,
    @Inject(READ_MODELS) private readonly readModels: ReadModelQueries,
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(DATA_SOURCE_QUERIES) private readonly sources: DataSourceQueries,
    private readonly writes: OkrWrites,
    private readonly ingestion: IngestionService,
  ) {}

  @Query(() => [DataSourceModel], {
    description: 'The organisation’s data sources, oldest first; `stale` filters on staleness.',
  })
  async dataSources(
    @CurrentIdentity() identity: Identity,
    @Args() args: DataSourcesArgs,
  ): Promise<DataSourceModel[]> {
    const views = await this.sources.all(identity.tenantId, { stale: args.stale });
    return views.map((v) => DataSourceModel.from(v));
  }

  @ResolveField('keyResults', () => [KeyResultModel], {
    description: 'The key results it may record measurements for.',
  })
  async keyResults(@Parent() source: DataSourceModel, @Context() ctx: GraphqlContext) {
    const found = await okrLoaders(ctx)
      .at(null)
      .keyResult.loadMany([...source.keyResultIds]);
    return found.flatMap((k) => (k && !(k instanceof Error) ? [KeyResultModel.from(k)] : []));
  }

  @Mutation(() => RegisteredDataSourceModel, {
    description:
      'Registers a data source for some key results and returns its key, shown once. ADMIN only.',
  })
  async registerDataSource(
    @CurrentIdentity() identity: Identity,
    @Args('input', { type: () => RegisterDataSourceInput }) input: RegisterDataSourceInput,
  ): Promise<RegisteredDataSourceModel> {
    requireAdmin(identity);
    const result = await this.commands.dataSources.register(this.writes.actor(identity), input);
    return this.issued(identity, result);
  }

  @Mutation(() => RegisteredDataSourceModel, {
    description:
      'Gives a data source a new key (shown once); the old one stops at once. ADMIN only.',
  })
  async rotateDataSourceKey(
    @CurrentIdentity() identity: Identity,
    @Args('input', { type: () => RotateDataSourceKeyInput }) input: RotateDataSourceKeyInput,
  ): Promise<RegisteredDataSourceModel> {
    requireAdmin(identity);
    const result = await this.commands.dataSources.rotateKey(this.writes.actor(identity), input);
    return this.issued(identity, result);
  }

  @Mutation(() => DataSourceModel, {
    description: 'Revokes a data source’s key for good: it records nothing any more. ADMIN only.',
  })
  async revokeDataSourceKey(
    @CurrentIdentity() identity: Identity,
    @Args('input', { type: () => RevokeDataSourceKeyInput }) input: RevokeDataSourceKeyInput,
  ): Promise<DataSourceModel> {
    requireAdmin(identity);
    const result = await this.commands.dataSources.revokeKey(this.writes.actor(identity), input);
    return DataSourceModel.from(await this.visible(identity, result));
  }

  @Mutation(() => [MeasurementResultModel], {
    description:
      'Records a data source’s measurements (1 to 1000), each accepted or refused on its own, in the order sent. Only with a data source key, for its own key results.',
  })
  async recordMeasurements(
    @CurrentIdentity() identity: Identity,
    @Args('input', { type: () => RecordMeasurementsInput }) input: RecordMeasurementsInput,
  ): Promise<MeasurementResultModel[]> {
    const measurements = input.measurements.map((m) => ({
      keyResultId: m.keyResultId,
      value: m.value,
      measuredAt: m.measuredAt.toISOString(),
      externalId: m.externalId ?? null,
      note: m.note ?? null,
    }));
    const result = await this.ingestion.record(identity, measurements, input.idempotencyKey);
    const checkInIds = result.outcomes.flatMap((o) => (o.checkInId === null ? [] : [o.checkInId]));
    const write = { id: checkInIds[0] ?? '', version: 0, position: result.lastPosition };
    await this.writes.settle(identity.tenantId, 'CheckIn', write);
    const checkIns = new Map(
      (await this.readModels.checkIns.byIds(identity.tenantId, checkInIds)).map((c) => [
        c.id,
        CheckInModel.from(c),
      ]),
    );
    await this.checkInsFromEvents(identity, result.outcomes, checkIns);
    return result.outcomes.map((o, i) =>
      Object.assign(new MeasurementResultModel(), {
        keyResultId: o.keyResultId,
        measuredAt: input.measurements[i]?.measuredAt ?? new Date(o.measuredAt),
        accepted: o.accepted,
        reason: o.reason,
        checkIn: o.checkInId === null ? null : (checkIns.get(o.checkInId) ?? null),
      }),
    );
  }

  /** Check-ins not projected in time, as their events recorded them (check-ins never change). */
  private async checkInsFromEvents(
    identity: Identity,
    outcomes: readonly { keyResultId: string; checkInId: string | null }[],
    checkIns: Map<string, CheckInModel>,
  ): Promise<void> {
    const missing = new Map<string, Set<string>>();
    for (const o of outcomes) {
      if (o.checkInId === null || checkIns.has(o.checkInId)) continue;
      missing.set(o.keyResultId, (missing.get(o.keyResultId) ?? new Set()).add(o.checkInId));
    }
    for (const [keyResultId, ids] of missing) {
      for (const e of await this.store.readStream(keyResultStream(keyResultId))) {
        const id = e.data.checkInId;
        if (e.type !== 'KeyResultCheckedIn' || e.metadata.tenantId !== identity.tenantId) continue;
        if (typeof id === 'string' && ids.has(id)) {
          checkIns.set(id, CheckInModel.from(checkInOfEvent(e, keyResultId)));
        }
      }
    }
  }

  private async issued(
    identity: Identity,
    result: CommandResult & { readonly key: string | null },
  ): Promise<RegisteredDataSourceModel> {
    // The key is kept nowhere, so a replay of a keyed request cannot show it again.
    if (result.key === null) {
      throw new ApiError(
        'This request was already applied and its key shown once; it cannot be shown again. Rotate the key to get a new one.',
        ERROR_CODES.CONFLICT,
        { reason: 'KEY_SHOWN_ONCE', dataSourceId: result.id },
      );
    }
    const view = await this.visible(identity, result);
    return Object.assign(new RegisteredDataSourceModel(), {
      dataSource: DataSourceModel.from(view),
      key: result.key,
    });
  }

  /** The read-model row once it shows the write; else folded from the source's stream. */
  private async visible(identity: Identity, result: CommandResult): Promise<DataSourceView> {
    await this.writes.settle(identity.tenantId, 'DataSource', result);
    const [row] = await this.sources.byIds(identity.tenantId, [result.id]);
    if (row && row.version >= result.version) return row;
    const events = await this.store.readStream(dataSourceStream(result.id));
    const mine = events.filter((e) => e.metadata.tenantId === identity.tenantId);
    const state = mine.reduce(
      (s, e) =>
        dataSourceDecider.evolve(s, e as unknown as Parameters<typeof dataSourceDecider.evolve>[1]),
      dataSourceDecider.initialState(),
    );
    const registered = mine[0];
    if (!state || !registered) throw new WriteNotYetVisibleError('DataSource', result);
    return {
      id: state.dataSourceId,
      name: state.name,
      kind: state.kind,
      expectedIntervalHours: state.expectedIntervalHours,
      revoked: state.revoked,
      registeredAt: registered.recordedAt,
      keyResultIds: state.keyResultIds,
      lastValueAt: row?.lastValueAt ?? null,
      stale: row?.stale ?? false,
      version: mine.length,
    };
  }
}
