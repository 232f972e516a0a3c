import { randomUUID } from 'node:crypto';
import { handleCommand, type EventStore } from '@okr-ledger/event-store';
import { cycleDecider, cycleStream, type CycleCommand } from '@okr-ledger/okr';
import {
  metadataFor,
  revisionOf,
  versionOf,
  type Actor,
  type CommandResult,
} from './command-context';

export class CycleCommands {
  constructor(private readonly store: EventStore) {}

  private async handle(
    actor: Actor,
    cycleId: string,
    command: CycleCommand,
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
      },
    );
    return { id: cycleId, version: versionOf(result.nextRevision), position: result.position };
  }

  schedule(
    actor: Actor,
    input: { name: string; startsAt: string; endsAt: string; cycleId?: string },
  ): Promise<CommandResult> {
    const cycleId = input.cycleId ?? randomUUID();
    const { name, startsAt, endsAt } = input;
    return this.handle(actor, cycleId, {
      type: 'ScheduleCycle',
      data: { cycleId, name, startsAt, endsAt },
    });
  }

  start(
    actor: Actor,
    input: { cycleId: string; expectedVersion?: number },
  ): Promise<CommandResult> {
    const { cycleId, expectedVersion } = input;
    return this.handle(actor, cycleId, { type: 'StartCycle', data: { cycleId } }, expectedVersion);
  }

  close(
    actor: Actor,
    input: { cycleId: string; expectedVersion?: number },
  ): Promise<CommandResult> {
    const { cycleId, expectedVersion } = input;
    return this.handle(actor, cycleId, { type: 'CloseCycle', data: { cycleId } }, expectedVersion);
  }
}
