import { randomUUID } from 'node:crypto';
import {
  foldStream,
  handleCommand,
  type EventStore,
  type IdempotencyClaim,
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
import type { WriteAccess } from './write-access';
import {
  claimOf,
  loadState,
  metadataFor,
  newIdFor,
  revisionOf,
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
// Key results whose folded stream a check-in keeps (least recently used out first).
const CACHED_KEY_RESULTS = 1024;

export class KeyResultCommands {
  /**
   * A check-in's key result as folded after its last check-in here, by tenant and stream: the
   * next one reads and folds only the events after it (a check-in folded the whole stream,
   * every earlier check-in, each time). Events are never changed, so the later ones suffice.
   */
  private readonly folded = new Map<string, { state: KeyResultState; revision: number }>();

  constructor(
    private readonly store: EventStore,
    private readonly access: WriteAccess,
    /** Defaults `measuredAt` and bounds it (a simulated quarter may pass its own). */
    private readonly clock: () => Date = () => new Date(),
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

  private handle(
    actor: Actor,
    keyResultId: string,
    command: KeyResultCommand,
    options: {
      expectedVersion?: number;
      retryOnConflict?: number;
      idempotency?: IdempotencyClaim;
      from?: { readonly state: KeyResultState; readonly revision: number };
    } = {},
  ) {
    return handleCommand(
      this.store,
      keyResultStream(keyResultId),
      keyResultDecider,
      command,
      async (state: KeyResultState): Promise<KeyResultContext> => {
        // No key result: the decider reports it missing before it looks at the cycle.
        if (state === null) return { cycleStatus: 'PLANNING' };
        await this.guard(actor, state);
        const cycle = await this.cycleOf(actor, state.cycleId);
        return { cycleStatus: cycle.status, cycleClosedAt: cycle.closedAt };
      },
      {
        metadata: (state: KeyResultState) => metadataFor(actor, { cycleId: state?.cycleId ?? '' }),
        expectedRevision: revisionOf(options.expectedVersion),
        retryOnConflict: options.retryOnConflict,
        idempotency: options.idempotency,
        from: options.from,
      },
    );
  }

  private cached(key: string) {
    const hit = this.folded.get(key);
    if (hit) {
      this.folded.delete(key);
      this.folded.set(key, hit);
    }
    return hit;
  }

  private remember(key: string, folded: { state: KeyResultState; revision: number }): void {
    this.folded.delete(key);
    this.folded.set(key, folded);
    if (this.folded.size > CACHED_KEY_RESULTS) {
      const oldest = this.folded.keys().next().value;
      if (oldest !== undefined) this.folded.delete(oldest);
    }
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
    const cycleStatus = await this.cycleStatusOf(actor, objective.cycleId);
    const result = await handleCommand(
      this.store,
      keyResultStream(keyResultId),
      keyResultDecider,
      { type: 'AddKeyResult', data: { ...request, keyResultId } },
      { cycleStatus, objective },
      {
        metadata: metadataFor(actor, { cycleId: objective.cycleId }),
        idempotency: claimOf('addKeyResult', { ...request, idempotencyKey: input.idempotencyKey }),
      },
    );
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
    const cacheKey = `${actor.tenantId}\u0000${keyResultStream(input.keyResultId)}`;
    // A keyed check-in folds the whole stream: its answer is the first check-in with the key,
    // which `history` must hold.
    const from = idempotencyKey === null ? this.cached(cacheKey) : undefined;
    let result;
    try {
      result = await this.handle(
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
        { retryOnConflict: CHECK_IN_RETRIES, from },
      );
    } catch (error) {
      this.folded.delete(cacheKey);
      throw error;
    }
    if (result.state !== null && result.events.length > 0) {
      this.remember(cacheKey, { state: result.state, revision: result.nextRevision });
    }
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
