import { Inject, Injectable, Logger } from '@nestjs/common';
import type { Actor } from '@okr-ledger/commands';
import type { ProjectionProgress } from '@okr-ledger/read-models';
import type { Identity } from '../auth/identity';
import { PROJECTION_PROGRESS } from './okr-api.tokens';

/** How long a mutation waits for the projections before answering (DESIGN §1). */
export const READ_YOUR_WRITES_TIMEOUT_MS = 2000;

/** What every mutation shares: who acts, and waiting for its own write to be readable. */
@Injectable()
export class OkrWrites {
  private readonly logger = new Logger('ReadYourWrites');

  constructor(@Inject(PROJECTION_PROGRESS) private readonly progress: ProjectionProgress) {}

  /** The identity's actor and tenant go into every event's metadata. */
  actor(identity: Identity): Actor {
    return { tenantId: identity.tenantId, actorId: identity.actorId, source: 'graphql' };
  }

  /**
   * Waits until the projections passed `position`, so the payload shows the write. On a
   * timeout it still answers from the read models (possibly stale) rather than failing a
   * write that did happen.
   */
  async settle(position: string | null): Promise<void> {
    if (position === null) return;
    const caughtUp = await this.progress.waitForPosition(position, READ_YOUR_WRITES_TIMEOUT_MS);
    if (!caughtUp) {
      this.logger.warn(
        `Projections did not reach ${position} within ${READ_YOUR_WRITES_TIMEOUT_MS} ms; answering from the read models as they are`,
      );
    }
  }
}
