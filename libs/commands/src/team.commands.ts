import { randomUUID } from 'node:crypto';
import { handleCommand, type EventStore } from '@okr-ledger/event-store';
import { AggregateNotFound, teamDecider, teamStream, type TeamContext } from '@okr-ledger/okr';
import {
  metadataFor,
  revisionOf,
  versionOf,
  type Actor,
  type CommandResult,
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
    input: { name: string; parentTeamId?: string | null; teamId?: string },
  ): Promise<CommandResult> {
    const teamId = input.teamId ?? randomUUID();
    const parentTeamId = input.parentTeamId ?? null;
    const result = await handleCommand(
      this.store,
      teamStream(teamId),
      teamDecider,
      { type: 'CreateTeam', data: { teamId, name: input.name, parentTeamId } },
      await this.contextFor(actor, parentTeamId),
      { metadata: metadataFor(actor) },
    );
    return { id: teamId, version: versionOf(result.nextRevision), position: result.position };
  }

  async rename(
    actor: Actor,
    input: { teamId: string; name: string; expectedVersion?: number },
  ): Promise<CommandResult> {
    const result = await handleCommand(
      this.store,
      teamStream(input.teamId),
      teamDecider,
      { type: 'RenameTeam', data: { teamId: input.teamId, name: input.name } },
      { parentAncestorTeamIds: [] },
      { metadata: metadataFor(actor), expectedRevision: revisionOf(input.expectedVersion) },
    );
    return { id: input.teamId, version: versionOf(result.nextRevision), position: result.position };
  }

  async move(
    actor: Actor,
    input: { teamId: string; parentTeamId: string | null; expectedVersion?: number },
  ): Promise<CommandResult> {
    const result = await handleCommand(
      this.store,
      teamStream(input.teamId),
      teamDecider,
      { type: 'MoveTeam', data: { teamId: input.teamId, toParentTeamId: input.parentTeamId } },
      await this.contextFor(actor, input.parentTeamId),
      { metadata: metadataFor(actor), expectedRevision: revisionOf(input.expectedVersion) },
    );
    return { id: input.teamId, version: versionOf(result.nextRevision), position: result.position };
  }
}
