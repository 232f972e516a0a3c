import { Inject, Injectable, Logger } from '@nestjs/common';
import {
  LedgerCheckpointMismatch,
  LedgerProofUnavailable,
  type PostgresLedger,
} from '@okr-ledger/event-store';
import {
  BadUserInputError,
  LedgerCheckpointMismatchError,
  LedgerProofUnavailableError,
} from '../errors/api.errors';

/** The PostgresLedger of the configured store, or null on EventStoreDB (no hash chains there). */
export const LEDGER = Symbol('LEDGER');

// How long a checkpoint after a cycle close waits for the close to be readable (below the
// horizon): as long as read-your-writes waits.
const CLOSE_WAIT_MS = 2000;

/** The ledger for the resolvers: its failures as the API's coded errors. */
@Injectable()
export class LedgerService {
  private readonly logger = new Logger('Ledger');

  constructor(@Inject(LEDGER) private readonly ledger: PostgresLedger | null) {}

  get(path: string): PostgresLedger {
    if (!this.ledger) {
      throw new BadUserInputError([
        {
          path,
          constraint: 'supported',
          message:
            'This event store keeps no hash chains (EventStoreDB): it has no verifiable ledger.',
        },
      ]);
    }
    return this.ledger;
  }

  get available(): PostgresLedger | null {
    return this.ledger;
  }

  async run<T>(path: string, operation: (ledger: PostgresLedger) => Promise<T>): Promise<T> {
    const ledger = this.get(path);
    try {
      return await operation(ledger);
    } catch (error) {
      if (error instanceof LedgerProofUnavailable) {
        throw new LedgerProofUnavailableError(error.message, error.reason);
      }
      if (error instanceof LedgerCheckpointMismatch) {
        throw new LedgerCheckpointMismatchError(error.message, {
          size: error.checkpoint.size,
          root: error.checkpoint.root,
          at: error.checkpoint.at,
        });
      }
      throw error;
    }
  }

  /**
   * A closed cycle gets a checkpoint that includes its close, so an auditor finds the
   * quarter's evidence signed without asking. Best effort: the close is recorded whatever
   * happens here, and takeLedgerCheckpoint can always be run afterwards.
   */
  async afterCycleClosed(tenantId: string, position: string | null): Promise<void> {
    const ledger = this.ledger;
    if (!ledger || !position) return;
    try {
      const checkpoint = await ledger.checkpointIncluding(
        tenantId,
        position,
        'cycle-closed',
        CLOSE_WAIT_MS,
      );
      if (!checkpoint) {
        this.logger.warn(
          `cycle close at ${position} not readable after ${CLOSE_WAIT_MS} ms: no checkpoint taken`,
        );
      }
    } catch (error) {
      this.logger.error(`checkpoint after a cycle close failed: ${(error as Error).message}`);
    }
  }
}
