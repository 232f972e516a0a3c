import { handleCommand, type EventStore, type IdempotencyClaim } from '@okr-ledger/event-store';
import {
  cycleDecider,
  cycleStream,
  type CloseCycle,
  type CycleCommand,
  type ScheduleCycle,
  type StartCycle,
} from '@okr-ledger/okr';
import {
  claimOf,
  metadataFor,
  newIdFor,
  revisionOf,
  versionOf,
  type Actor,
  type CommandInput,
  type CommandResult,
  type Versioned,
} from './command-context';

/** ScheduleCycle's data; the instants as ISO-8601 text or as dates (the API's DateTime). */
export type ScheduleCycleRequest = CommandInput<
  Omit<ScheduleCycle['data'], 'startsAt' | 'endsAt'>,
  'cycleId'
> & { readonly startsAt: string | Date; readonly endsAt: string | Date };
export type StartCycleRequest = CommandInput<StartCycle['data']> & Versioned;
export type CloseCycleRequest = CommandInput<CloseCycle['data']> & Versioned;

const isoText = (instant: string | Date): string =>
  typeof instant === 'string' ? instant : instant.toISOString();

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

  schedule(actor: Actor, input: ScheduleCycleRequest): Promise<CommandResult> {
    const request = {
      cycleId: input.cycleId,
      name: input.name,
      startsAt: isoText(input.startsAt),
      endsAt: isoText(input.endsAt),
    };
    const cycleId = input.cycleId ?? newIdFor(actor, 'scheduleCycle', input);
    return this.handle(
      actor,
      cycleId,
      { type: 'ScheduleCycle', data: { ...request, cycleId } },
      claimOf('scheduleCycle', { ...request, idempotencyKey: input.idempotencyKey }),
    );
  }

  start(actor: Actor, input: StartCycleRequest): Promise<CommandResult> {
    return this.transition(actor, 'StartCycle', 'startCycle', input);
  }

  close(actor: Actor, input: CloseCycleRequest): Promise<CommandResult> {
    return this.transition(actor, 'CloseCycle', 'closeCycle', input);
  }

  private transition(
    actor: Actor,
    type: (StartCycle | CloseCycle)['type'],
    operation: string,
    input: StartCycleRequest,
  ): Promise<CommandResult> {
    const { cycleId, idempotencyKey } = input;
    const expectedVersion = input.expectedVersion ?? undefined;
    return this.handle(
      actor,
      cycleId,
      { type, data: { cycleId } },
      claimOf(operation, { cycleId, expectedVersion, idempotencyKey }),
      expectedVersion,
    );
  }
}
