import { Inject, Injectable, Logger } from '@nestjs/common';
import type { Actor } from '@okr-ledger/commands';
import type { ProjectionProgress } from '@okr-ledger/read-models';
import type { Identity } from '../auth/identity';
import {
  ProjectionStalledError,
  WriteNotYetVisibleError,
  type RecordedWrite,
} from '../errors/api.errors';
import { PROJECTION_PROGRESS } from './okr-api.tokens';

/** How long a mutation waits for the projections before answering (DESIGN §1). */
export const READ_YOUR_WRITES_TIMEOUT_MS = 2000;

/** A mutation's payload view and the instant it was answered as of (null: the read models). */
export interface VisibleWrite<V> {
  readonly view: V;
  readonly asOf: Date | null;
}

/** What every mutation shares: who acts, and waiting for its own write to be readable. */
@Injectable()
export class OkrWrites {
  private readonly logger = new Logger('ReadYourWrites');

  constructor(@Inject(PROJECTION_PROGRESS) private readonly progress: ProjectionProgress) {}

  /** The identity's actor and tenant go into every event's metadata. */
  actor(identity: Identity): Actor {
    return {
      tenantId: identity.tenantId,
      actorId: identity.actorId,
      // The write rules of libs/okr decide on these (ADR 0017).
      roles: identity.roles,
      source: 'graphql',
    };
  }

  /**
   * Waits until the projections passed the write's position, so the payload shows it. A
   * halted projection of the tenant never shows it (the checkpoint passes it all the same),
   * so that is said instead of a payload; on a mere timeout the payload is still answered
   * (see `visible`), never an error for a write that happened.
   */
  async settle(tenantId: string, type: string, write: RecordedWrite): Promise<void> {
    if (write.position === null) return;
    const caughtUp = await this.progress.waitForPosition(
      write.position,
      READ_YOUR_WRITES_TIMEOUT_MS,
    );
    const [stall] = await this.progress.stalls(tenantId);
    if (stall) throw new ProjectionStalledError(stall, type, write);
    if (!caughtUp) {
      this.logger.warn(
        `Projections did not reach ${write.position} within ${READ_YOUR_WRITES_TIMEOUT_MS} ms; answering ${type} ${write.id} from its events`,
      );
    }
  }

  /**
   * The payload of a write: the read-model row once it shows the write's version; otherwise
   * the aggregate folded from its events now (time travel), which always holds the write.
   */
  async visible<V extends { readonly version: number }>(
    type: string,
    write: RecordedWrite,
    current: () => Promise<V | null | undefined>,
    folded: (now: Date) => Promise<V | null | undefined>,
  ): Promise<VisibleWrite<V>> {
    const row = await current();
    if (row && row.version >= write.version) return { view: row, asOf: null };
    const now = new Date();
    const fold = await folded(now);
    if (fold && fold.version >= write.version) return { view: fold, asOf: now };
    throw new WriteNotYetVisibleError(type, write);
  }
}
