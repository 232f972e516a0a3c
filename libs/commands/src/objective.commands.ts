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
  type ObjectiveCommand,
  type ObjectiveContext,
  type ObjectiveParent,
  type ObjectiveState,
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
import type { AncestryPort } from './stream-ancestry';

/** At most one of the two; neither means a root objective. */
export interface ParentInput {
  readonly parentObjectiveId?: string | null;
  readonly parentKeyResultId?: string | null;
}

export interface SetObjectiveInput extends ParentInput, Keyed {
  readonly objectiveId?: string;
  readonly cycleId: string;
  readonly title: string;
  readonly description?: string | null;
  readonly ownerId?: string | null;
  readonly teamId?: string | null;
}

export interface ReviseObjectiveInput extends Keyed {
  readonly objectiveId: string;
  readonly expectedVersion?: number;
  readonly title?: string;
  readonly description?: string | null;
  readonly ownerId?: string | null;
  readonly teamId?: string | null;
  readonly reason?: string | null;
}

export class ObjectiveCommands {
  constructor(
    private readonly store: EventStore,
    private readonly ancestry: AncestryPort,
  ) {}

  private async requireTeam(actor: Actor, teamId: string | null | undefined): Promise<void> {
    if (teamId === null || teamId === undefined) return;
    const team = await loadState(this.store, teamStream(teamId), actor.tenantId, teamDecider);
    if (team === null) throw new AggregateNotFound('Team', teamId);
  }

  /** Turns the two optional ids of the API into the domain's parent, checking it exists. */
  private async resolveParent(actor: Actor, input: ParentInput): Promise<ObjectiveParent | null> {
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
  ): Promise<CommandResult> {
    const ancestors = parent
      ? await this.ancestry.objectiveLineage(actor.tenantId, parent.objectiveId)
      : [];
    const result = await handleCommand(
      this.store,
      objectiveStream(objectiveId),
      objectiveDecider,
      command,
      async (state: ObjectiveState): Promise<ObjectiveContext> => {
        const cycleId =
          state?.cycleId ?? (command.type === 'SetObjective' ? command.data.cycleId : null);
        // No objective and no cycle to look at: the decider reports the missing objective.
        const cycleStatus = cycleId ? await this.cycleStatusOf(actor, cycleId) : 'PLANNING';
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

  async set(actor: Actor, input: SetObjectiveInput): Promise<CommandResult> {
    const objectiveId = input.objectiveId ?? newIdFor(actor, 'setObjective', input);
    await this.requireTeam(actor, input.teamId);
    const parent = await this.resolveParent(actor, input);
    return this.handle(
      actor,
      objectiveId,
      {
        type: 'SetObjective',
        data: {
          objectiveId,
          cycleId: input.cycleId,
          title: input.title,
          description: input.description ?? null,
          ownerId: input.ownerId ?? null,
          teamId: input.teamId ?? null,
          parent,
        },
      },
      parent,
      claimOf('setObjective', input),
    );
  }

  async revise(actor: Actor, input: ReviseObjectiveInput): Promise<CommandResult> {
    await this.requireTeam(actor, input.teamId);
    const { title, description, ownerId, teamId } = input;
    const changes = Object.fromEntries(
      Object.entries({ title, description, ownerId, teamId }).filter(([, v]) => v !== undefined),
    );
    return this.handle(
      actor,
      input.objectiveId,
      {
        type: 'ReviseObjective',
        data: { objectiveId: input.objectiveId, changes, reason: input.reason ?? null },
      },
      null,
      claimOf('reviseObjective', input),
      input.expectedVersion,
    );
  }

  async align(
    actor: Actor,
    input: ParentInput &
      Keyed & { objectiveId: string; reason?: string | null; expectedVersion?: number },
  ): Promise<CommandResult> {
    const parent = await this.resolveParent(actor, input);
    return this.handle(
      actor,
      input.objectiveId,
      {
        type: 'AlignObjective',
        data: { objectiveId: input.objectiveId, parent, reason: input.reason ?? null },
      },
      parent,
      claimOf('alignObjective', input),
      input.expectedVersion,
    );
  }

  archive(
    actor: Actor,
    input: Keyed & { objectiveId: string; reason?: string | null; expectedVersion?: number },
  ): Promise<CommandResult> {
    return this.handle(
      actor,
      input.objectiveId,
      {
        type: 'ArchiveObjective',
        data: { objectiveId: input.objectiveId, reason: input.reason ?? null },
      },
      null,
      claimOf('archiveObjective', input),
      input.expectedVersion,
    );
  }
}
