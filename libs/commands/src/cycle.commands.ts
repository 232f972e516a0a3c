import { handleCommand, type EventStore, type IdempotencyClaim } from '@okr-ledger/event-store';
import { cycleDecider, cycleStream, type CycleCommand } from '@okr-ledger/okr';
import {
  claimOf,
  metadataFor,
  newIdFor,
  revisionOf,
  versionOf,
  type Actor,
  type CommandResult,
  type Keyed,
} from './command-context';

export class CycleCommands {
  constructor(private readonly store: EventStore) {}

  private async handle(
    actor: Actor,
    cycleId: string,
    command: CycleCommand,
    idempotency: IdempotencyClaim | undefined,
    expectedVersion?: number,
  ): Promise<CommandResult> {
    const result = await handleCommand(
      this.store,
      cycleStream(cycleId),
      cycleDecider,
      command,
      undefined,
      {
        // Cycle events carry their cycle too, so a replay reads one cycle's events only.
        metadata: metadataFor(actor, { cycleId }),
        expectedRevision: revisionOf(expectedVersion),
        idempotency,
      },
    );
    return {
      id: cycleId,
      version: versionOf(result.nextRevision),
      position: result.position,
      replayed: result.replayed,
    };
  }

  schedule(
    actor: Actor,
    input: Keyed & { name: string; startsAt: string; endsAt: string; cycleId?: string },
  ): Promise<CommandResult> {
    const cycleId = input.cycleId ?? newIdFor(actor, 'scheduleCycle', input);
    const { name, startsAt, endsAt } = input;
    return this.handle(
      actor,
      cycleId,
      { type: 'ScheduleCycle', data: { cycleId, name, startsAt, endsAt } },
      claimOf('scheduleCycle', input),
    );
  }

  start(
    actor: Actor,
    input: Keyed & { cycleId: string; expectedVersion?: number },
  ): Promise<CommandResult> {
    const { cycleId, expectedVersion } = input;
    return this.handle(
      actor,
      cycleId,
      { type: 'StartCycle', data: { cycleId } },
      claimOf('startCycle', input),
      expectedVersion,
    );
  }

  close(
    actor: Actor,
    input: Keyed & { cycleId: string; expectedVersion?: number },
  ): Promise<CommandResult> {
    const { cycleId, expectedVersion } = input;
    return this.handle(
      actor,
      cycleId,
      { type: 'CloseCycle', data: { cycleId } },
      claimOf('closeCycle', input),
      expectedVersion,
    );
  }
}
