import { handleCommand, type EventStore } from '@okr-ledger/event-store';
import {
  AggregateNotFound,
  teamDecider,
  teamStream,
  type AddTeamMember,
  type CreateTeam,
  type MoveTeam,
  type RemoveTeamMember,
  type RenameTeam,
  type TeamContext,
  type TeamState,
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
import type { AncestryPort } from './stream-ancestry';
import type { WriteAccess } from './write-access';

export type CreateTeamRequest = CommandInput<CreateTeam['data'], 'teamId'>;
export type RenameTeamRequest = CommandInput<RenameTeam['data']> & Versioned;
/** MoveTeam's data with the new parent named as on create; absent or null: a root team. */
export type MoveTeamRequest = CommandInput<Omit<MoveTeam['data'], 'toParentTeamId'>> &
  Versioned & { readonly parentTeamId?: string | null };
/** AddTeamMember's data; `lead` absent or null: a member who does not lead. */
export type AddTeamMemberRequest = CommandInput<AddTeamMember['data'], never, 'lead'>;
export type RemoveTeamMemberRequest = CommandInput<RemoveTeamMember['data']>;

export class TeamCommands {
  constructor(
    private readonly store: EventStore,
    private readonly ancestry: AncestryPort,
    private readonly access: WriteAccess,
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

  async create(actor: Actor, input: CreateTeamRequest): Promise<CommandResult> {
    const request = {
      teamId: input.teamId,
      name: input.name,
      parentTeamId: input.parentTeamId ?? null,
    };
    const teamId = input.teamId ?? newIdFor(actor, 'createTeam', input);
    const { parentTeamId } = request;
    const result = await handleCommand(
      this.store,
      teamStream(teamId),
      teamDecider,
      { type: 'CreateTeam', data: { ...request, teamId } },
      await this.contextFor(actor, parentTeamId),
      {
        metadata: metadataFor(actor),
        idempotency: claimOf('createTeam', { ...request, idempotencyKey: input.idempotencyKey }),
      },
    );
    return {
      id: teamId,
      version: versionOf(result.nextRevision),
      position: result.position,
      replayed: result.replayed,
    };
  }

  async rename(actor: Actor, input: RenameTeamRequest): Promise<CommandResult> {
    const data = { teamId: input.teamId, name: input.name };
    const expectedVersion = input.expectedVersion ?? undefined;
    const { idempotencyKey } = input;
    const result = await handleCommand(
      this.store,
      teamStream(input.teamId),
      teamDecider,
      { type: 'RenameTeam', data },
      { parentAncestorTeamIds: [] },
      {
        metadata: metadataFor(actor),
        expectedRevision: revisionOf(expectedVersion),
        idempotency: claimOf('renameTeam', { ...data, expectedVersion, idempotencyKey }),
      },
    );
    return {
      id: input.teamId,
      version: versionOf(result.nextRevision),
      position: result.position,
      replayed: result.replayed,
    };
  }

  async move(actor: Actor, input: MoveTeamRequest): Promise<CommandResult> {
    const request = {
      teamId: input.teamId,
      parentTeamId: input.parentTeamId ?? null,
      expectedVersion: input.expectedVersion ?? undefined,
    };
    const { teamId, parentTeamId, expectedVersion } = request;
    const result = await handleCommand(
      this.store,
      teamStream(teamId),
      teamDecider,
      { type: 'MoveTeam', data: { teamId, toParentTeamId: parentTeamId } },
      await this.contextFor(actor, parentTeamId),
      {
        metadata: metadataFor(actor),
        expectedRevision: revisionOf(expectedVersion),
        idempotency: claimOf('moveTeam', { ...request, idempotencyKey: input.idempotencyKey }),
      },
    );
    return {
      id: input.teamId,
      version: versionOf(result.nextRevision),
      position: result.position,
      replayed: result.replayed,
    };
  }

  /** Membership changes: ADMIN or a lead of the team, checked on the folded team. */
  private async changeMembers(
    actor: Actor,
    command: AddTeamMember | RemoveTeamMember,
    operation: string,
    idempotencyKey: string | null | undefined,
  ): Promise<CommandResult> {
    const { teamId } = command.data;
    const result = await handleCommand(
      this.store,
      teamStream(teamId),
      teamDecider,
      command,
      async (state: TeamState): Promise<TeamContext> => {
        if (state !== null) await this.access.requireTeamMembershipWrite(actor, state);
        return { parentAncestorTeamIds: [] };
      },
      {
        metadata: metadataFor(actor),
        idempotency: claimOf(operation, { ...command.data, idempotencyKey }),
      },
    );
    return {
      id: teamId,
      version: versionOf(result.nextRevision),
      position: result.position,
      replayed: result.replayed,
    };
  }

  addMember(actor: Actor, input: AddTeamMemberRequest): Promise<CommandResult> {
    const data = { teamId: input.teamId, personId: input.personId, lead: input.lead ?? false };
    return this.changeMembers(
      actor,
      { type: 'AddTeamMember', data },
      'addTeamMember',
      input.idempotencyKey,
    );
  }

  removeMember(actor: Actor, input: RemoveTeamMemberRequest): Promise<CommandResult> {
    const data = { teamId: input.teamId, personId: input.personId };
    return this.changeMembers(
      actor,
      { type: 'RemoveTeamMember', data },
      'removeTeamMember',
      input.idempotencyKey,
    );
  }
}
