import { handleCommand, type EventStore } from '@okr-ledger/event-store';
import {
  AggregateNotFound,
  dataSourceDecider,
  dataSourceStream,
  keyResultStream,
  type DataSource,
  type RegisterDataSource,
  type RevokeDataSourceKey,
} from '@okr-ledger/okr';
import {
  claimOf,
  loadState,
  metadataFor,
  newIdFor,
  versionOf,
  type Actor,
  type CommandInput,
  type CommandResult,
} from './command-context';
import {
  issueDataSourceKey,
  parseDataSourceKey,
  secretMatches,
  type DataSourceKey,
} from './data-source-key';

/** RegisterDataSource's data; the id is made here and the key too (only its hash is kept). */
export type RegisterDataSourceRequest = CommandInput<
  Omit<RegisterDataSource['data'], 'keyHash'>,
  'dataSourceId'
>;
export type RotateDataSourceKeyRequest = CommandInput<{ readonly dataSourceId: string }>;
export type RevokeDataSourceKeyRequest = CommandInput<RevokeDataSourceKey['data']>;

export interface IssuedKeyResult extends CommandResult {
  /** The key, shown once; null on a replay of a keyed request (it is not kept to show again). */
  readonly key: string | null;
}

export class DataSourceCommands {
  constructor(private readonly store: EventStore) {}

  /** Each key result must exist for the tenant: a source never points at another's. */
  private async requireKeyResults(tenantId: string, keyResultIds: readonly string[]) {
    for (const id of new Set(keyResultIds)) {
      const [first] = await this.store.readStream(keyResultStream(id), { limit: 1 });
      if (first?.metadata.tenantId !== tenantId) throw new AggregateNotFound('KeyResult', id);
    }
  }

  async register(actor: Actor, input: RegisterDataSourceRequest): Promise<IssuedKeyResult> {
    const request = {
      dataSourceId: input.dataSourceId,
      name: input.name,
      kind: input.kind,
      expectedIntervalHours: input.expectedIntervalHours,
      keyResultIds: [...input.keyResultIds],
    };
    const dataSourceId = input.dataSourceId ?? newIdFor(actor, 'registerDataSource', input);
    await this.requireKeyResults(actor.tenantId, request.keyResultIds);
    const issued = issueDataSourceKey(actor.tenantId, dataSourceId);
    const result = await handleCommand(
      this.store,
      dataSourceStream(dataSourceId),
      dataSourceDecider,
      { type: 'RegisterDataSource', data: { ...request, dataSourceId, keyHash: issued.keyHash } },
      undefined,
      {
        metadata: metadataFor(actor),
        idempotency: claimOf('registerDataSource', {
          ...request,
          idempotencyKey: input.idempotencyKey,
        }),
      },
    );
    return {
      id: dataSourceId,
      version: versionOf(result.nextRevision),
      position: result.position,
      replayed: result.replayed,
      key: result.replayed ? null : issued.key,
    };
  }

  async rotateKey(actor: Actor, input: RotateDataSourceKeyRequest): Promise<IssuedKeyResult> {
    const { dataSourceId } = input;
    const issued = issueDataSourceKey(actor.tenantId, dataSourceId);
    const result = await handleCommand(
      this.store,
      dataSourceStream(dataSourceId),
      dataSourceDecider,
      { type: 'RotateDataSourceKey', data: { dataSourceId, keyHash: issued.keyHash } },
      undefined,
      {
        metadata: metadataFor(actor),
        idempotency: claimOf('rotateDataSourceKey', {
          dataSourceId,
          idempotencyKey: input.idempotencyKey,
        }),
      },
    );
    return {
      id: dataSourceId,
      version: versionOf(result.nextRevision),
      position: result.position,
      replayed: result.replayed,
      key: result.replayed ? null : issued.key,
    };
  }

  async revokeKey(actor: Actor, input: RevokeDataSourceKeyRequest): Promise<CommandResult> {
    const data = { dataSourceId: input.dataSourceId, reason: input.reason ?? null };
    const result = await handleCommand(
      this.store,
      dataSourceStream(data.dataSourceId),
      dataSourceDecider,
      { type: 'RevokeDataSourceKey', data },
      undefined,
      {
        metadata: metadataFor(actor),
        idempotency: claimOf('revokeDataSourceKey', {
          ...data,
          idempotencyKey: input.idempotencyKey,
        }),
      },
    );
    return {
      id: data.dataSourceId,
      version: versionOf(result.nextRevision),
      position: result.position,
      replayed: result.replayed,
    };
  }

  /**
   * The data source a bearer key stands for, folded from its stream now (so a rotation or a
   * revocation counts from the next request on); null for an unknown, revoked or wrong key.
   */
  async authenticate(bearer: string): Promise<{ key: DataSourceKey; source: DataSource } | null> {
    const key = parseDataSourceKey(bearer);
    if (key === null) return null;
    const source = await loadState(
      this.store,
      dataSourceStream(key.dataSourceId),
      key.tenantId,
      dataSourceDecider,
    );
    if (source === null || source.revoked || !secretMatches(key.secret, source.keyHash))
      return null;
    return { key, source };
  }
}
