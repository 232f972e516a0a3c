import type { EventStore } from '@okr-ledger/event-store';
import {
  AggregateNotFound,
  canSee,
  keyResultWriteRefusal,
  newObjectiveRefusal,
  objectiveRevisionRefusal,
  teamDecider,
  teamMembership,
  teamMembershipRefusal,
  teamStream,
  visibilityScope,
  WriteForbidden,
  type AggregateType,
  type Objective,
  type ObjectiveOwnership,
  type Team,
  type TeamMembership,
  type Viewer,
  type WriteRule,
} from '@okr-ledger/okr';
import { CommandReads, type Actor } from './command-context';

// Far deeper than any real team tree; stops a corrupt history from looping forever.
const MAX_DEPTH = 64;

function refuse(rule: WriteRule | null): void {
  if (rule !== null) throw new WriteForbidden(rule);
}

/**
 * The team chain above an objective's team, folded one stream at a time as a rule asks for
 * more (each through the command's reads, so a team is folded once per command).
 */
class TeamChain {
  private readonly folded: TeamMembership[] = [];
  private next: string | null;

  constructor(
    private readonly reads: CommandReads,
    teamId: string | null,
  ) {
    this.next = teamId;
  }

  get teams(): readonly TeamMembership[] {
    return this.folded;
  }

  /** Folds the next team up; false once the chain has ended (top, a missing team, a loop). */
  async more(): Promise<boolean> {
    const current = this.next;
    if (current === null || this.folded.length >= MAX_DEPTH) return false;
    if (this.folded.some((t) => t.teamId === current)) return false;
    const team: Team | null = await this.reads.state(teamStream(current), teamDecider);
    if (team === null) {
      this.next = null;
      return false;
    }
    this.folded.push(teamMembership(team));
    this.next = team.parentTeamId;
    return true;
  }

  async all(): Promise<readonly TeamMembership[]> {
    while (await this.more());
    return this.folded;
  }

  /**
   * The teams `allows` needs: it is asked on the teams folded so far and the next one is
   * folded only while it says no. libs/okr's rules only grant with more teams (a team adds
   * members, leads and teams below, never takes one away: `canSee` and the refusals are
   * monotone in the list), so a yes on the first teams is the whole chain's yes, and a no is
   * only ever given on the whole chain. An ADMIN, an AUDITOR's sight or a PUBLIC objective
   * needs no team at all; a MEMBER's write on an objective of their team needs that team.
   */
  async until(allows: (teams: readonly TeamMembership[]) => boolean): Promise<boolean> {
    while (!allows(this.folded)) if (!(await this.more())) return false;
    return true;
  }
}

/**
 * The write rules of libs/okr applied to the folded state, once for every command: an
 * objective the actor may not see is NOT_FOUND (as an unknown id), one they may see but not
 * change FORBIDDEN with the rule. The team streams the rules need (the objective's team and
 * those above it, whose leads see TEAM objectives) are folded here, as far up as the rule
 * needs; nothing comes from a read model, so a rule never acts on a stale membership.
 */
export class WriteAccess {
  constructor(private readonly store: EventStore) {}

  /**
   * An actor without roles is the system itself (the demo loader, integration specs): no
   * rule applies. The API always passes the identity's roles.
   */
  private viewer(actor: Actor): Viewer | null {
    return actor.roles === undefined ? null : { personId: actor.actorId, roles: actor.roles };
  }

  private reads(actor: Actor, reads: CommandReads | undefined): CommandReads {
    return reads ?? new CommandReads(this.store, actor.tenantId);
  }

  /** The team and every team above it, folded from their streams; [] without a team. */
  async teamsAbove(
    tenantId: string,
    teamId: string | null,
    reads: CommandReads = new CommandReads(this.store, tenantId),
  ): Promise<TeamMembership[]> {
    return [...(await new TeamChain(reads, teamId).all())];
  }

  /** Throws NOT_FOUND (as `missing`) unless the actor may see the objective; returns its chain. */
  private async visible(
    viewer: Viewer,
    objective: Objective,
    missing: { readonly type: AggregateType; readonly id: string },
    reads: CommandReads,
  ): Promise<TeamChain> {
    const chain = new TeamChain(reads, objective.teamId);
    if (!(await chain.until((teams) => canSee(visibilityScope(viewer, teams), objective)))) {
      throw new AggregateNotFound(missing.type, missing.id);
    }
    return chain;
  }

  /**
   * The actor may see the objective (a parent to align under, for example); else NOT_FOUND,
   * as the objective or as `missing` (a key result of it).
   */
  async requireVisible(
    actor: Actor,
    objective: Objective,
    missing: { readonly type: AggregateType; readonly id: string } = {
      type: 'Objective',
      id: objective.objectiveId,
    },
    reads?: CommandReads,
  ): Promise<void> {
    const viewer = this.viewer(actor);
    if (viewer === null) return;
    await this.visible(viewer, objective, missing, this.reads(actor, reads));
  }

  /** Revising, aligning, archiving, sharing, changing the visibility of, adding a key result to. */
  async requireObjectiveWrite(
    actor: Actor,
    objective: Objective,
    options: { readonly toTeamId?: string | null; readonly missing?: AggregateType } = {},
    reads?: CommandReads,
  ): Promise<void> {
    const viewer = this.viewer(actor);
    if (viewer === null) return;
    const folds = this.reads(actor, reads);
    const missing = { type: options.missing ?? 'Objective', id: objective.objectiveId };
    const chain = await this.visible(viewer, objective, missing, folds);
    const moved = options.toTeamId ?? null;
    if (moved !== null && moved !== objective.teamId) {
      // A move is judged on both chains whole, as they always were (a rare write).
      const all = [
        ...(await chain.all()),
        ...(await this.teamsAbove(actor.tenantId, moved, folds)),
      ];
      refuse(objectiveRevisionRefusal(viewer, objective, options.toTeamId, all));
      return;
    }
    const rule = (teams: readonly TeamMembership[]) =>
      objectiveRevisionRefusal(viewer, objective, options.toTeamId, teams);
    await chain.until((teams) => rule(teams) === null);
    refuse(rule(chain.teams));
  }

  /** Setting a new objective, as it would be set. */
  async requireNewObjective(
    actor: Actor,
    objective: ObjectiveOwnership,
    reads?: CommandReads,
  ): Promise<void> {
    const viewer = this.viewer(actor);
    if (viewer === null) return;
    const chain = new TeamChain(this.reads(actor, reads), objective.teamId);
    const rule = (teams: readonly TeamMembership[]) =>
      newObjectiveRefusal(viewer, objective, teams);
    await chain.until((teams) => rule(teams) === null);
    refuse(rule(chain.teams));
  }

  /** Redefining, checking in on, graduating a key result, and its initiatives. */
  async requireKeyResultWrite(
    actor: Actor,
    keyResult: { readonly keyResultId: string; readonly ownerId: string | null },
    objective: Objective,
    reads?: CommandReads,
  ): Promise<void> {
    const viewer = this.viewer(actor);
    if (viewer === null) return;
    const chain = await this.visible(
      viewer,
      objective,
      { type: 'KeyResult', id: keyResult.keyResultId },
      this.reads(actor, reads),
    );
    const rule = (teams: readonly TeamMembership[]) =>
      keyResultWriteRefusal(viewer, keyResult, objective, teams);
    await chain.until((teams) => rule(teams) === null);
    refuse(rule(chain.teams));
  }

  /** Adding or removing a member of the team. */
  async requireTeamMembershipWrite(actor: Actor, team: Team): Promise<void> {
    const viewer = this.viewer(actor);
    if (viewer === null) return;
    refuse(teamMembershipRefusal(viewer, teamMembership(team)));
  }
}
