import { randomUUID } from 'node:crypto';
import {
  foldStream,
  handleCommand,
  tenantHistory,
  type EventStore,
  type IdempotencyClaim,
  type RecordedEvent,
} from '@okr-ledger/event-store';
import {
  AggregateNotFound,
  cycleDecider,
  isClearableKeyResultField,
  KEY_RESULT_REDEFINABLE_FIELDS,
  cycleStream,
  keyResultDecider,
  keyResultStream,
  objectiveDecider,
  objectiveStream,
  type AddInitiative,
  type AddKeyResult,
  type CheckInKeyResult,
  type CompleteInitiative,
  type GraduateKeyResult,
  type KeyResultCommand,
  type RedefineKeyResult,
  type KeyResultContext,
  type KeyResult,
  type KeyResultDefinition,
  type KeyResultState,
  type MeasurementCycle,
} from '@okr-ledger/okr';
import { FoldedStates } from './folded-state.cache';
import type { WriteAccess } from './write-access';
import {
  claimOf,
  inOrder,
  loadState,
  metadataFor,
  newIdFor,
  revisionOf,
  started,
  versionOf,
  type Actor,
  type CommandInput,
  type CommandResult,
  type Versioned,
} from './command-context';

/** AddKeyResult's data; absent weight and scoring take the decider's defaults. */
export type AddKeyResultRequest = CommandInput<AddKeyResult['data'], 'keyResultId'>;

/**
 * RedefineKeyResult's data with its changes spread: a field absent (or null where it cannot be
 * cleared) keeps its value; null clears a nullable field.
 */
export type RedefineKeyResultRequest = CommandInput<Omit<RedefineKeyResult['data'], 'changes'>> &
  Versioned & { readonly [F in keyof KeyResultDefinition]?: KeyResultDefinition[F] | null };

/**
 * CheckInKeyResult's data; the check-in's id and the clock's `now` are made here, the source is
 * MANUAL and `measuredAt` now by default.
 */
export type CheckInRequest = CommandInput<
  Omit<CheckInKeyResult['data'], 'checkInId' | 'now'>,
  never,
  'source' | 'measuredAt'
>;

export type GraduateKeyResultRequest = CommandInput<GraduateKeyResult['data']> & Versioned;
export type AddInitiativeRequest = CommandInput<AddInitiative['data'], 'initiativeId'>;
export type CompleteInitiativeRequest = CommandInput<CompleteInitiative['data']>;

export interface CheckInResult extends CommandResult {
  readonly checkInId: string;
  /** True when the idempotency key was used before: nothing new was recorded. */
  readonly replayed: boolean;
}

// Check-ins commute (each is its own fact), so a conflict is retried rather than reported; enough
// attempts for a burst of concurrent integrations pushing values to one key result.
const CHECK_IN_RETRIES = 40;

export class KeyResultCommands {
  constructor(
    private readonly store: EventStore,
    private readonly access: WriteAccess,
    /** Defaults `measuredAt` and bounds it (a simulated quarter may pass its own). */
    private readonly clock: () => Date = () => new Date(),
    /** Key results as last folded here (shared with ingestion): a command reads only the events since. */
    private readonly folded = new FoldedStates<KeyResultState>(),
  ) {}

  /** The write rules for a change of an existing key result, on its objective as it is now. */
  private async guard(actor: Actor, keyResult: KeyResult): Promise<void> {
    // The system acts without roles (see Actor): no rule, so no objective to fold either.
    if (actor.roles === undefined) return;
    const objective = await loadState(
      this.store,
      objectiveStream(keyResult.objectiveId),
      actor.tenantId,
      objectiveDecider,
    );
    if (objective === null) throw new AggregateNotFound('KeyResult', keyResult.keyResultId);
    await this.access.requireKeyResultWrite(actor, keyResult, objective);
  }

  private async cycleStatusOf(actor: Actor, cycleId: string) {
    return (await this.cycleOf(actor, cycleId)).status;
  }

  /** The cycle's status and, once CLOSED, when it closed: its CycleClosed's recorded time. */
  private async cycleOf(actor: Actor, cycleId: string): Promise<MeasurementCycle> {
    const { state, history } = await foldStream(
      this.store,
      cycleStream(cycleId),
      actor.tenantId,
      cycleDecider,
    );
    if (state === null) throw new AggregateNotFound('Cycle', cycleId);
    const closed = history.findLast((e) => e.type === 'CycleClosed');
    return {
      status: state.status,
      closedAt: state.status === 'CLOSED' && closed ? closed.recordedAt.toISOString() : null,
    };
  }

  private async handle(
    actor: Actor,
    keyResultId: string,
    command: KeyResultCommand,
    options: {
      expectedVersion?: number;
      retryOnConflict?: number;
      idempotency?: IdempotencyClaim;
    } = {},
  ) {
    const stream = keyResultStream(keyResultId);
    const result = await handleCommand(
      this.store,
      stream,
      keyResultDecider,
      command,
      async (state: KeyResultState): Promise<KeyResultContext> => {
        // No key result: the decider reports it missing before it looks at the cycle.
        if (state === null) return { cycleStatus: 'PLANNING' };
        // The rules' objective (and teams) and the cycle both follow from the key result:
        // read at once, errors answered in the order of the checks.
        const [, cycle] = await inOrder(
          this.guard(actor, state),
          this.cycleOf(actor, state.cycleId),
        );
        return { cycleStatus: cycle.status, cycleClosedAt: cycle.closedAt };
      },
      {
        metadata: (state: KeyResultState) => metadataFor(actor, { cycleId: state?.cycleId ?? '' }),
        expectedRevision: revisionOf(options.expectedVersion),
        retryOnConflict: options.retryOnConflict,
        idempotency: options.idempotency,
        from: this.folded.get(actor.tenantId, stream),
      },
    );
    this.folded.set(actor.tenantId, stream, result.folded);
    return result;
  }

  async add(actor: Actor, input: AddKeyResultRequest): Promise<CommandResult> {
    const request = {
      keyResultId: input.keyResultId,
      objectiveId: input.objectiveId,
      title: input.title,
      ownerId: input.ownerId ?? null,
      type: input.type,
      kind: input.kind,
      startValue: input.startValue,
      targetValue: input.targetValue,
      unit: input.unit ?? null,
      dataSourceUrl: input.dataSourceUrl ?? null,
      weight: input.weight ?? undefined,
      scoring: input.scoring ?? undefined,
    };
    const keyResultId = input.keyResultId ?? newIdFor(actor, 'addKeyResult', input);
    const objective = await loadState(
      this.store,
      objectiveStream(input.objectiveId),
      actor.tenantId,
      objectiveDecider,
    );
    if (objective === null) throw new AggregateNotFound('Objective', input.objectiveId);
    await this.access.requireObjectiveWrite(actor, objective);
    // The cycle is read beside the new key result's stream; a missing cycle still fails the
    // command, a keyed retry's replay included, as when it was read first.
    const cycleStatus = started(this.cycleStatusOf(actor, objective.cycleId));
    const result = await handleCommand(
      this.store,
      keyResultStream(keyResultId),
      keyResultDecider,
      { type: 'AddKeyResult', data: { ...request, keyResultId } },
      async () => ({ cycleStatus: await cycleStatus, objective }),
      {
        metadata: metadataFor(actor, { cycleId: objective.cycleId }),
        idempotency: claimOf('addKeyResult', { ...request, idempotencyKey: input.idempotencyKey }),
      },
    );
    if (result.replayed) await cycleStatus;
    return {
      id: keyResultId,
      version: versionOf(result.nextRevision),
      position: result.position,
      replayed: result.replayed,
    };
  }

  async redefine(actor: Actor, input: RedefineKeyResultRequest): Promise<CommandResult> {
    // Only nullable fields can be cleared: elsewhere null means "leave as is", like absent.
    const changes = Object.fromEntries(
      KEY_RESULT_REDEFINABLE_FIELDS.flatMap((field) => {
        const value = input[field];
        const kept = value !== undefined && (value !== null || isClearableKeyResultField(field));
        return kept ? [[field, value]] : [];
      }),
    ) as Partial<KeyResultDefinition>;
    const request = {
      ...changes,
      keyResultId: input.keyResultId,
      expectedVersion: input.expectedVersion ?? undefined,
      reason: input.reason ?? null,
    };
    const result = await this.handle(
      actor,
      input.keyResultId,
      {
        type: 'RedefineKeyResult',
        data: { keyResultId: input.keyResultId, changes, reason: request.reason },
      },
      {
        expectedVersion: request.expectedVersion,
        idempotency: claimOf('redefineKeyResult', {
          ...request,
          idempotencyKey: input.idempotencyKey,
        }),
      },
    );
    return {
      id: input.keyResultId,
      version: versionOf(result.nextRevision),
      position: result.position,
      replayed: result.replayed,
    };
  }

  async checkIn(actor: Actor, input: CheckInRequest): Promise<CheckInResult> {
    const checkInId = randomUUID();
    const idempotencyKey = input.idempotencyKey ?? null;
    const now = this.clock().toISOString();
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
          measuredAt: input.measuredAt ?? now,
          now,
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
    const recordedWithKey = (events: readonly RecordedEvent[]) =>
      events.find(
        (e) => e.type === 'KeyResultCheckedIn' && e.data.idempotencyKey === idempotencyKey,
      );
    // The history holds only the events after the state kept here: an earlier check-in with
    // the key is in the whole stream.
    const first = idempotencyKey
      ? (recordedWithKey(result.history) ??
        recordedWithKey(
          tenantHistory(
            await this.store.readStream(keyResultStream(input.keyResultId)),
            actor.tenantId,
          ),
        ))
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

  async graduate(actor: Actor, input: GraduateKeyResultRequest): Promise<CommandResult> {
    const data = { keyResultId: input.keyResultId, reason: input.reason ?? null };
    const expectedVersion = input.expectedVersion ?? undefined;
    const result = await this.handle(
      actor,
      input.keyResultId,
      { type: 'GraduateKeyResult', data },
      {
        expectedVersion,
        idempotency: claimOf('graduateKeyResult', {
          ...data,
          expectedVersion,
          idempotencyKey: input.idempotencyKey,
        }),
      },
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
    input: AddInitiativeRequest,
  ): Promise<CommandResult & { initiativeId: string }> {
    const request = {
      keyResultId: input.keyResultId,
      initiativeId: input.initiativeId,
      title: input.title,
      dueDate: input.dueDate ?? null,
    };
    const initiativeId = input.initiativeId ?? newIdFor(actor, 'addInitiative', input);
    const result = await this.handle(
      actor,
      input.keyResultId,
      { type: 'AddInitiative', data: { ...request, initiativeId } },
      {
        idempotency: claimOf('addInitiative', { ...request, idempotencyKey: input.idempotencyKey }),
      },
    );
    return {
      id: input.keyResultId,
      initiativeId,
      version: versionOf(result.nextRevision),
      position: result.position,
      replayed: result.replayed,
    };
  }

  async completeInitiative(actor: Actor, input: CompleteInitiativeRequest): Promise<CommandResult> {
    const data = { keyResultId: input.keyResultId, initiativeId: input.initiativeId };
    const result = await this.handle(
      actor,
      input.keyResultId,
      { type: 'CompleteInitiative', data },
      {
        idempotency: claimOf('completeInitiative', {
          ...data,
          idempotencyKey: input.idempotencyKey,
        }),
      },
    );
    return {
      id: input.keyResultId,
      version: versionOf(result.nextRevision),
      position: result.position,
      replayed: result.replayed,
    };
  }
}
