import { handleCommand, type EventStore, type IdempotencyClaim } from '@okr-ledger/event-store';
import {
  AggregateNotFound,
  cycleDecider,
  cycleStream,
  DomainRuleViolation,
  keyResultDecider,
  keyResultStream,
  objectiveDecider,
  objectiveStream,
  teamDecider,
  teamStream,
  type AlignObjective,
  type ArchiveObjective,
  type ChangeObjectiveVisibility,
  type Objective,
  type ObjectiveCommand,
  type ObjectiveContext,
  type ObjectiveDefinition,
  type ObjectiveParent,
  type ObjectiveState,
  type ReviseObjective,
  type SetObjective,
  type ShareObjective,
  type UnshareObjective,
} from '@okr-ledger/okr';
import {
  claimOf,
  CommandReads,
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
import type { AncestryPort } from './stream-ancestry';
import type { WriteAccess } from './write-access';

/** At most one of the two; neither means a root objective. */
export interface ParentInput {
  readonly parentObjectiveId?: string | null;
  readonly parentKeyResultId?: string | null;
}

/** SetObjective's data with the parent given by id (checked and resolved here). */
export type SetObjectiveRequest = CommandInput<
  Omit<SetObjective['data'], 'parent'>,
  'objectiveId'
> &
  ParentInput;

/**
 * ReviseObjective's data with its changes spread: a field absent (or a null title) keeps its
 * value; null clears an optional field.
 */
export type ReviseObjectiveRequest = CommandInput<Omit<ReviseObjective['data'], 'changes'>> &
  Versioned & { readonly [F in keyof ObjectiveDefinition]?: ObjectiveDefinition[F] | null };

/** AlignObjective's data with the parent given by id (checked and resolved here). */
export type AlignObjectiveRequest = CommandInput<Omit<AlignObjective['data'], 'parent'>> &
  ParentInput &
  Versioned;

export type ArchiveObjectiveRequest = CommandInput<ArchiveObjective['data']> & Versioned;

export type ChangeObjectiveVisibilityRequest = CommandInput<ChangeObjectiveVisibility['data']> &
  Versioned;
export type ShareObjectiveRequest = CommandInput<ShareObjective['data']>;
export type UnshareObjectiveRequest = CommandInput<UnshareObjective['data']>;

/** The write rule a change of an existing objective must pass, given its folded state. */
type ObjectiveGuard = (objective: Objective) => Promise<void>;

export class ObjectiveCommands {
  constructor(
    private readonly store: EventStore,
    private readonly ancestry: AncestryPort,
    private readonly access: WriteAccess,
  ) {}

  private async requireTeam(
    actor: Actor,
    teamId: string | null | undefined,
    reads: CommandReads = new CommandReads(this.store, actor.tenantId),
  ): Promise<void> {
    if (teamId === null || teamId === undefined) return;
    const team = await reads.state(teamStream(teamId), teamDecider);
    if (team === null) throw new AggregateNotFound('Team', teamId);
  }

  /** Turns the two optional ids of the API into the domain's parent, checking it exists. */
  private async resolveParent(
    actor: Actor,
    input: ParentInput,
    reads: CommandReads = new CommandReads(this.store, actor.tenantId),
  ): Promise<ObjectiveParent | null> {
    const { parentObjectiveId, parentKeyResultId } = input;
    if (parentObjectiveId && parentKeyResultId) {
      throw new DomainRuleViolation(
        'INVALID_VALUE',
        'parentKeyResultId',
        'give parentObjectiveId or parentKeyResultId, not both',
      );
    }
    if (parentObjectiveId) {
      const parent = await loadState(
        this.store,
        objectiveStream(parentObjectiveId),
        actor.tenantId,
        objectiveDecider,
      );
      if (parent === null) throw new AggregateNotFound('Objective', parentObjectiveId);
      await this.access.requireVisible(actor, parent, undefined, reads);
      return { kind: 'OBJECTIVE', objectiveId: parentObjectiveId };
    }
    if (parentKeyResultId) {
      const keyResult = await loadState(
        this.store,
        keyResultStream(parentKeyResultId),
        actor.tenantId,
        keyResultDecider,
      );
      if (keyResult === null) throw new AggregateNotFound('KeyResult', parentKeyResultId);
      const owner = await loadState(
        this.store,
        objectiveStream(keyResult.objectiveId),
        actor.tenantId,
        objectiveDecider,
      );
      // A key result of an objective the actor may not see is as unknown as the objective.
      if (owner === null) throw new AggregateNotFound('KeyResult', parentKeyResultId);
      await this.access.requireVisible(
        actor,
        owner,
        { type: 'KeyResult', id: parentKeyResultId },
        reads,
      );
      return {
        kind: 'KEY_RESULT',
        keyResultId: parentKeyResultId,
        objectiveId: keyResult.objectiveId,
      };
    }
    return null;
  }

  private async cycleStatusOf(actor: Actor, cycleId: string) {
    const cycle = await loadState(this.store, cycleStream(cycleId), actor.tenantId, cycleDecider);
    if (cycle === null) throw new AggregateNotFound('Cycle', cycleId);
    return cycle.status;
  }

  private async handle(
    actor: Actor,
    objectiveId: string,
    command: ObjectiveCommand,
    parent: ObjectiveParent | null,
    idempotency: IdempotencyClaim | undefined,
    expectedVersion?: number,
    guard: ObjectiveGuard = (objective) => this.access.requireObjectiveWrite(actor, objective),
  ): Promise<CommandResult> {
    const ancestors = parent
      ? await this.ancestry.objectiveLineage(actor.tenantId, parent.objectiveId)
      : [];
    // A new objective's cycle is known before its stream is read: read the two at once.
    const setCycleId = command.type === 'SetObjective' ? command.data.cycleId : null;
    const setCycle = setCycleId ? started(this.cycleStatusOf(actor, setCycleId)) : null;
    const result = await handleCommand(
      this.store,
      objectiveStream(objectiveId),
      objectiveDecider,
      command,
      async (state: ObjectiveState): Promise<ObjectiveContext> => {
        const cycleId = state?.cycleId ?? setCycleId;
        // No objective and no cycle to look at: the decider reports the missing objective.
        const cycle: Promise<ObjectiveContext['cycleStatus']> = !cycleId
          ? Promise.resolve('PLANNING')
          : cycleId === setCycleId && setCycle
            ? setCycle
            : this.cycleStatusOf(actor, cycleId);
        // A new objective was checked as it would be set; an unknown one is the decider's. The
        // rule's teams and the cycle are read at once, errors answered in the rule's order.
        const [, cycleStatus] = await inOrder(
          state !== null ? guard(state) : Promise.resolve(),
          cycle,
        );
        return { cycleStatus, parentAncestorObjectiveIds: ancestors };
      },
      {
        metadata: (state: ObjectiveState) =>
          metadataFor(actor, {
            cycleId:
              state?.cycleId ?? (command.type === 'SetObjective' ? command.data.cycleId : ''),
          }),
        expectedRevision: revisionOf(expectedVersion),
        idempotency,
      },
    );
    return {
      id: objectiveId,
      version: versionOf(result.nextRevision),
      position: result.position,
      replayed: result.replayed,
    };
  }

  async set(actor: Actor, input: SetObjectiveRequest): Promise<CommandResult> {
    const { idempotencyKey } = input;
    // The request as the client sent it, defaults as they were before visibility existed: a
    // key used before this release still hashes the same (ADR 0007).
    const request = {
      objectiveId: input.objectiveId,
      cycleId: input.cycleId,
      title: input.title,
      description: input.description ?? null,
      ownerId: input.ownerId ?? null,
      teamId: input.teamId ?? null,
      ...(input.visibility !== undefined &&
        input.visibility !== null && { visibility: input.visibility }),
      parentObjectiveId: input.parentObjectiveId ?? null,
      parentKeyResultId: input.parentKeyResultId ?? null,
    };
    const objectiveId = input.objectiveId ?? newIdFor(actor, 'setObjective', input);
    const definition = {
      cycleId: request.cycleId,
      title: request.title,
      description: request.description,
      // Without an owner the person who set it owns it: a teamless (so PRIVATE) objective
      // stays visible to its author.
      ownerId: request.ownerId ?? actor.actorId,
      teamId: request.teamId,
      visibility: input.visibility ?? null,
    };
    // The team is checked and then judged by the rule: folded once for both.
    const reads = new CommandReads(this.store, actor.tenantId);
    await this.requireTeam(actor, request.teamId, reads);
    await this.access.requireNewObjective(actor, definition, reads);
    const parent = await this.resolveParent(actor, request, reads);
    return this.handle(
      actor,
      objectiveId,
      { type: 'SetObjective', data: { ...definition, objectiveId, parent } },
      parent,
      claimOf('setObjective', { ...request, idempotencyKey }),
    );
  }

  async revise(actor: Actor, input: ReviseObjectiveRequest): Promise<CommandResult> {
    // Absent means "leave as is" (a null title too); an explicit null clears an optional field.
    const changes = Object.fromEntries(
      Object.entries({
        title: input.title ?? undefined,
        description: input.description,
        ownerId: input.ownerId,
        teamId: input.teamId,
      }).filter(([, v]) => v !== undefined),
    ) as Partial<ObjectiveDefinition>;
    const request = {
      ...changes,
      objectiveId: input.objectiveId,
      expectedVersion: input.expectedVersion ?? undefined,
      reason: input.reason ?? null,
    };
    await this.requireTeam(actor, input.teamId);
    return this.handle(
      actor,
      input.objectiveId,
      {
        type: 'ReviseObjective',
        data: { objectiveId: input.objectiveId, changes, reason: request.reason },
      },
      null,
      claimOf('reviseObjective', { ...request, idempotencyKey: input.idempotencyKey }),
      request.expectedVersion,
      (objective) =>
        this.access.requireObjectiveWrite(actor, objective, { toTeamId: input.teamId }),
    );
  }

  async align(actor: Actor, input: AlignObjectiveRequest): Promise<CommandResult> {
    const request = {
      objectiveId: input.objectiveId,
      parentObjectiveId: input.parentObjectiveId ?? null,
      parentKeyResultId: input.parentKeyResultId ?? null,
      expectedVersion: input.expectedVersion ?? undefined,
      reason: input.reason ?? null,
    };
    const parent = await this.resolveParent(actor, request);
    return this.handle(
      actor,
      input.objectiveId,
      {
        type: 'AlignObjective',
        data: { objectiveId: input.objectiveId, parent, reason: request.reason },
      },
      parent,
      claimOf('alignObjective', { ...request, idempotencyKey: input.idempotencyKey }),
      request.expectedVersion,
    );
  }

  archive(actor: Actor, input: ArchiveObjectiveRequest): Promise<CommandResult> {
    const data = { objectiveId: input.objectiveId, reason: input.reason ?? null };
    const expectedVersion = input.expectedVersion ?? undefined;
    return this.handle(
      actor,
      input.objectiveId,
      { type: 'ArchiveObjective', data },
      null,
      claimOf('archiveObjective', {
        ...data,
        expectedVersion,
        idempotencyKey: input.idempotencyKey,
      }),
      expectedVersion,
    );
  }

  changeVisibility(actor: Actor, input: ChangeObjectiveVisibilityRequest): Promise<CommandResult> {
    const data = {
      objectiveId: input.objectiveId,
      visibility: input.visibility,
      reason: input.reason ?? null,
    };
    const expectedVersion = input.expectedVersion ?? undefined;
    return this.handle(
      actor,
      input.objectiveId,
      { type: 'ChangeObjectiveVisibility', data },
      null,
      claimOf('changeObjectiveVisibility', {
        ...data,
        expectedVersion,
        idempotencyKey: input.idempotencyKey,
      }),
      expectedVersion,
    );
  }

  share(actor: Actor, input: ShareObjectiveRequest): Promise<CommandResult> {
    const data = { objectiveId: input.objectiveId, personId: input.personId };
    return this.handle(
      actor,
      input.objectiveId,
      { type: 'ShareObjective', data },
      null,
      claimOf('shareObjective', { ...data, idempotencyKey: input.idempotencyKey }),
    );
  }

  unshare(actor: Actor, input: UnshareObjectiveRequest): Promise<CommandResult> {
    const data = { objectiveId: input.objectiveId, personId: input.personId };
    return this.handle(
      actor,
      input.objectiveId,
      { type: 'UnshareObjective', data },
      null,
      claimOf('unshareObjective', { ...data, idempotencyKey: input.idempotencyKey }),
    );
  }
}
