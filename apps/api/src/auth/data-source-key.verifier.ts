import { dataSourceActorId, DataSourceCommands } from '@okr-ledger/commands';
import type { EventStore } from '@okr-ledger/event-store';
import { UnauthenticatedError } from '../errors/api.errors';
import type { Identity } from './identity';

/**
 * Checks a data source's key (ADR 0015): the key names its organisation and data source, whose
 * stream is folded on every request and the secret's hash compared, so a rotation or a
 * revocation holds from the next request on, with no cache and no read model to wait for.
 */
export class DataSourceKeyVerifier {
  private readonly dataSources: DataSourceCommands | null;

  constructor(store: EventStore | null) {
    this.dataSources = store ? new DataSourceCommands(store) : null;
  }

  /** The data source's identity: its actor id, its organisation, no role. */
  async verify(bearer: string): Promise<Identity> {
    const found = this.dataSources ? await this.dataSources.authenticate(bearer) : null;
    if (!found)
      throw new UnauthenticatedError('The data source key is unknown, replaced or revoked.');
    return {
      actorId: dataSourceActorId(found.source.dataSourceId),
      tenantId: found.key.tenantId,
      roles: [],
      dataSource: found.source,
    };
  }
}
