import { handleCommand, type EventStore } from '@okr-ledger/event-store';
import { AggregateNotFound, teamDecider, teamStream, type TeamContext } from '@okr-ledger/okr';
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
import type { AncestryPort } from './stream-ancestry';

export class TeamCommands {
  constructor(
    private readonly store: EventStore,
    private readonly ancestry: AncestryPort,
  ) {}

  /** A parent that exists (for this tenant), with everything above it for the loop check. */
  private async contextFor(actor: Actor, parentTeamId: string | null): Promise<TeamContext> {
    if (parentTeamId === null) return { parentAncestorTeamIds: [] };
    const lineage = await this.ancestry.teamLineage(actor.tenantId, parentTeamId);
    const exists = await this.store.readStream(teamStream(parentTeamId), { limit: 1 });
    if (exists[0]?.metadata.tenantId !== actor.tenantId) {
      throw new AggregateNotFound('Team', parentTeamId);
    }
    return { parentAncestorTeamIds: lineage };
  }

  async create(
    actor: Actor,
    input: Keyed & { name: string; parentTeamId?: string | null; teamId?: string },
  ): Promise<CommandResult> {
    const teamId = input.teamId ?? newIdFor(actor, 'createTeam', input);
    const parentTeamId = input.parentTeamId ?? null;
    const result = await handleCommand(
      this.store,
      teamStream(teamId),
      teamDecider,
      { type: 'CreateTeam', data: { teamId, name: input.name, parentTeamId } },
      await this.contextFor(actor, parentTeamId),
      { metadata: metadataFor(actor), idempotency: claimOf('createTeam', input) },
    );
    return {
      id: teamId,
      version: versionOf(result.nextRevision),
      position: result.position,
      replayed: result.replayed,
    };
  }

  async rename(
    actor: Actor,
    input: Keyed & { teamId: string; name: string; expectedVersion?: number },
  ): Promise<CommandResult> {
    const result = await handleCommand(
      this.store,
      teamStream(input.teamId),
      teamDecider,
      { type: 'RenameTeam', data: { teamId: input.teamId, name: input.name } },
      { parentAncestorTeamIds: [] },
      {
        metadata: metadataFor(actor),
        expectedRevision: revisionOf(input.expectedVersion),
        idempotency: claimOf('renameTeam', input),
      },
    );
    return {
      id: input.teamId,
      version: versionOf(result.nextRevision),
      position: result.position,
      replayed: result.replayed,
    };
  }

  async move(
    actor: Actor,
    input: Keyed & { teamId: string; parentTeamId: string | null; expectedVersion?: number },
  ): Promise<CommandResult> {
    const result = await handleCommand(
      this.store,
      teamStream(input.teamId),
      teamDecider,
      { type: 'MoveTeam', data: { teamId: input.teamId, toParentTeamId: input.parentTeamId } },
      await this.contextFor(actor, input.parentTeamId),
      {
        metadata: metadataFor(actor),
        expectedRevision: revisionOf(input.expectedVersion),
        idempotency: claimOf('moveTeam', input),
      },
    );
    return {
      id: input.teamId,
      version: versionOf(result.nextRevision),
      position: result.position,
      replayed: result.replayed,
    };
  }
}
