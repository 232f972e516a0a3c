import { randomUUID } from 'node:crypto';
import { handleCommand, type EventStore, type IdempotencyClaim } from '@okr-ledger/event-store';
import {
  AggregateNotFound,
  cycleDecider,
  KEY_RESULT_REDEFINABLE_FIELDS,
  cycleStream,
  keyResultDecider,
  keyResultStream,
  objectiveDecider,
  objectiveStream,
  type CheckInSource,
  type KeyResultCommand,
  type KeyResultContext,
  type KeyResultDefinition,
  type KeyResultState,
} from '@okr-ledger/okr';
import {
  claimOf,
  loadState,
  metadataFor,
  newIdFor,
  revisionOf,
  versionOf,
  type Actor,
  type CommandResult,
  type Keyed,
} from './command-context';

export type AddKeyResultInput = Omit<
  KeyResultDefinition,
  'weight' | 'scoring' | 'unit' | 'ownerId' | 'dataSourceUrl'
> &
  Keyed & {
    readonly keyResultId?: string;
    readonly objectiveId: string;
    readonly unit?: string | null;
    readonly ownerId?: string | null;
    readonly dataSourceUrl?: string | null;
    readonly weight?: number;
    readonly scoring?: KeyResultDefinition['scoring'];
  };

export type RedefineKeyResultInput = Partial<KeyResultDefinition> &
  Keyed & {
    readonly keyResultId: string;
    readonly expectedVersion?: number;
    readonly reason?: string | null;
  };

export interface CheckInInput {
  readonly keyResultId: string;
  readonly value: number;
  readonly confidence?: number | null;
  readonly plan?: string | null;
  readonly progress?: string | null;
  readonly problems?: string | null;
  readonly source?: CheckInSource;
  readonly idempotencyKey?: string | null;
}

export interface CheckInResult extends CommandResult {
  readonly checkInId: string;
  /** True when the idempotency key was used before: nothing new was recorded. */
  readonly replayed: boolean;
}

// Check-ins commute (each is its own fact), so a conflict is retried rather than reported; enough
// attempts for a burst of concurrent integrations pushing values to one key result.
const CHECK_IN_RETRIES = 40;

export class KeyResultCommands {
  constructor(private readonly store: EventStore) {}

  private async cycleStatusOf(actor: Actor, cycleId: string) {
    const cycle = await loadState(this.store, cycleStream(cycleId), actor.tenantId, cycleDecider);
    if (cycle === null) throw new AggregateNotFound('Cycle', cycleId);
    return cycle.status;
  }

  private handle(
    actor: Actor,
    keyResultId: string,
    command: KeyResultCommand,
    options: {
      expectedVersion?: number;
      retryOnConflict?: number;
      idempotency?: IdempotencyClaim;
    } = {},
  ) {
    return handleCommand(
      this.store,
      keyResultStream(keyResultId),
      keyResultDecider,
      command,
      async (state: KeyResultState): Promise<KeyResultContext> => ({
        // No key result: the decider reports it missing before it looks at the cycle.
        cycleStatus: state ? await this.cycleStatusOf(actor, state.cycleId) : 'PLANNING',
      }),
      {
        metadata: (state: KeyResultState) => metadataFor(actor, { cycleId: state?.cycleId ?? '' }),
        expectedRevision: revisionOf(options.expectedVersion),
        retryOnConflict: options.retryOnConflict,
        idempotency: options.idempotency,
      },
    );
  }

  async add(actor: Actor, input: AddKeyResultInput): Promise<CommandResult> {
    const keyResultId = input.keyResultId ?? newIdFor(actor, 'addKeyResult', input);
    const objective = await loadState(
      this.store,
      objectiveStream(input.objectiveId),
      actor.tenantId,
      objectiveDecider,
    );
    if (objective === null) throw new AggregateNotFound('Objective', input.objectiveId);
    const cycleStatus = await this.cycleStatusOf(actor, objective.cycleId);
    const result = await handleCommand(
      this.store,
      keyResultStream(keyResultId),
      keyResultDecider,
      {
        type: 'AddKeyResult',
        data: {
          keyResultId,
          objectiveId: input.objectiveId,
          title: input.title,
          ownerId: input.ownerId ?? null,
          type: input.type,
          kind: input.kind,
          startValue: input.startValue,
          targetValue: input.targetValue,
          unit: input.unit ?? null,
          dataSourceUrl: input.dataSourceUrl ?? null,
          weight: input.weight,
          scoring: input.scoring,
        },
      },
      { cycleStatus, objective },
      {
        metadata: metadataFor(actor, { cycleId: objective.cycleId }),
        idempotency: claimOf('addKeyResult', input),
      },
    );
    return {
      id: keyResultId,
      version: versionOf(result.nextRevision),
      position: result.position,
      replayed: result.replayed,
    };
  }

  async redefine(actor: Actor, input: RedefineKeyResultInput): Promise<CommandResult> {
    const changes = Object.fromEntries(
      KEY_RESULT_REDEFINABLE_FIELDS.filter((field) => input[field] !== undefined).map((f) => [
        f,
        input[f],
      ]),
    ) as Partial<KeyResultDefinition>;
    const result = await this.handle(
      actor,
      input.keyResultId,
      {
        type: 'RedefineKeyResult',
        data: { keyResultId: input.keyResultId, changes, reason: input.reason ?? null },
      },
      { expectedVersion: input.expectedVersion, idempotency: claimOf('redefineKeyResult', input) },
    );
    return {
      id: input.keyResultId,
      version: versionOf(result.nextRevision),
      position: result.position,
      replayed: result.replayed,
    };
  }

  async checkIn(actor: Actor, input: CheckInInput): Promise<CheckInResult> {
    const checkInId = randomUUID();
    const idempotencyKey = input.idempotencyKey ?? null;
    const result = await this.handle(
      actor,
      input.keyResultId,
      {
        type: 'CheckInKeyResult',
        data: {
          keyResultId: input.keyResultId,
          checkInId,
          value: input.value,
          confidence: input.confidence ?? null,
          plan: input.plan ?? null,
          progress: input.progress ?? null,
          problems: input.problems ?? null,
          source: input.source ?? 'MANUAL',
          idempotencyKey,
        },
      },
      { retryOnConflict: CHECK_IN_RETRIES },
    );
    const version = versionOf(result.nextRevision);
    if (result.events.length > 0) {
      return {
        id: input.keyResultId,
        checkInId,
        version,
        position: result.position,
        replayed: false,
      };
    }
    // Nothing recorded: the key was seen before, so answer with the check-in it recorded, and
    // where it was recorded, so the caller waits for it to be projected like the first time.
    const first = idempotencyKey
      ? result.history.find(
          (e) => e.type === 'KeyResultCheckedIn' && e.data.idempotencyKey === idempotencyKey,
        )
      : undefined;
    const firstId = first?.data.checkInId;
    if (first === undefined || typeof firstId !== 'string')
      throw new AggregateNotFound('KeyResult', input.keyResultId);
    return {
      id: input.keyResultId,
      checkInId: firstId,
      version: versionOf(first.revision),
      position: first.position,
      replayed: true,
    };
  }

  async graduate(
    actor: Actor,
    input: Keyed & { keyResultId: string; reason?: string | null; expectedVersion?: number },
  ): Promise<CommandResult> {
    const result = await this.handle(
      actor,
      input.keyResultId,
      {
        type: 'GraduateKeyResult',
        data: { keyResultId: input.keyResultId, reason: input.reason ?? null },
      },
      { expectedVersion: input.expectedVersion, idempotency: claimOf('graduateKeyResult', input) },
    );
    return {
      id: input.keyResultId,
      version: versionOf(result.nextRevision),
      position: result.position,
      replayed: result.replayed,
    };
  }

  async addInitiative(
    actor: Actor,
    input: Keyed & {
      keyResultId: string;
      title: string;
      dueDate?: string | null;
      initiativeId?: string;
    },
  ): Promise<CommandResult & { initiativeId: string }> {
    const initiativeId = input.initiativeId ?? newIdFor(actor, 'addInitiative', input);
    const result = await this.handle(
      actor,
      input.keyResultId,
      {
        type: 'AddInitiative',
        data: {
          keyResultId: input.keyResultId,
          initiativeId,
          title: input.title,
          dueDate: input.dueDate ?? null,
        },
      },
      { idempotency: claimOf('addInitiative', input) },
    );
    return {
      id: input.keyResultId,
      initiativeId,
      version: versionOf(result.nextRevision),
      position: result.position,
      replayed: result.replayed,
    };
  }

  async completeInitiative(
    actor: Actor,
    input: Keyed & { keyResultId: string; initiativeId: string },
  ): Promise<CommandResult> {
    const result = await this.handle(
      actor,
      input.keyResultId,
      {
        type: 'CompleteInitiative',
        data: { keyResultId: input.keyResultId, initiativeId: input.initiativeId },
      },
      { idempotency: claimOf('completeInitiative', input) },
    );
    return {
      id: input.keyResultId,
      version: versionOf(result.nextRevision),
      position: result.position,
      replayed: result.replayed,
    };
  }
}
