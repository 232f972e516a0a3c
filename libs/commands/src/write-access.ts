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
import { loadState, type Actor } from './command-context';

// Far deeper than any real team tree; stops a corrupt history from looping forever.
const MAX_DEPTH = 64;

function refuse(rule: WriteRule | null): void {
  if (rule !== null) throw new WriteForbidden(rule);
}

/**
 * The write rules of libs/okr applied to the folded state, once for every command: an
 * objective the actor may not see is NOT_FOUND (as an unknown id), one they may see but not
 * change FORBIDDEN with the rule. The team streams the rules need (the objective's team and
 * those above it, whose leads see TEAM objectives) are folded here; nothing comes from a read
 * model, so a rule never acts on a stale membership.
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

  /** The team and every team above it, folded from their streams; [] without a team. */
  async teamsAbove(tenantId: string, teamId: string | null): Promise<TeamMembership[]> {
    const teams: TeamMembership[] = [];
    let current = teamId;
    while (current !== null && teams.length < MAX_DEPTH) {
      if (teams.some((t) => t.teamId === current)) break;
      const team: Team | null = await loadState(
        this.store,
        teamStream(current),
        tenantId,
        teamDecider,
      );
      if (team === null) break;
      teams.push(teamMembership(team));
      current = team.parentTeamId;
    }
    return teams;
  }

  /** Throws NOT_FOUND (as `missing`) unless the actor may see the objective; returns its teams. */
  private async visible(
    viewer: Viewer,
    actor: Actor,
    objective: Objective,
    missing: { readonly type: AggregateType; readonly id: string },
  ): Promise<TeamMembership[]> {
    const teams = await this.teamsAbove(actor.tenantId, objective.teamId);
    if (!canSee(visibilityScope(viewer, teams), objective)) {
      throw new AggregateNotFound(missing.type, missing.id);
    }
    return teams;
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
  ): Promise<void> {
    const viewer = this.viewer(actor);
    if (viewer === null) return;
    await this.visible(viewer, actor, objective, missing);
  }

  /** Revising, aligning, archiving, sharing, changing the visibility of, adding a key result to. */
  async requireObjectiveWrite(
    actor: Actor,
    objective: Objective,
    options: { readonly toTeamId?: string | null; readonly missing?: AggregateType } = {},
  ): Promise<void> {
    const viewer = this.viewer(actor);
    if (viewer === null) return;
    const missing = { type: options.missing ?? 'Objective', id: objective.objectiveId };
    const teams = await this.visible(viewer, actor, objective, missing);
    const moved = options.toTeamId ?? null;
    const all =
      moved !== null && moved !== objective.teamId
        ? [...teams, ...(await this.teamsAbove(actor.tenantId, moved))]
        : teams;
    refuse(objectiveRevisionRefusal(viewer, objective, options.toTeamId, all));
  }

  /** Setting a new objective, as it would be set. */
  async requireNewObjective(actor: Actor, objective: ObjectiveOwnership): Promise<void> {
    const viewer = this.viewer(actor);
    if (viewer === null) return;
    const teams = await this.teamsAbove(actor.tenantId, objective.teamId);
    refuse(newObjectiveRefusal(viewer, objective, teams));
  }

  /** Redefining, checking in on, graduating a key result, and its initiatives. */
  async requireKeyResultWrite(
    actor: Actor,
    keyResult: { readonly keyResultId: string; readonly ownerId: string | null },
    objective: Objective,
  ): Promise<void> {
    const viewer = this.viewer(actor);
    if (viewer === null) return;
    const teams = await this.visible(viewer, actor, objective, {
      type: 'KeyResult',
      id: keyResult.keyResultId,
    });
    refuse(keyResultWriteRefusal(viewer, keyResult, objective, teams));
  }

  /** Adding or removing a member of the team. */
  async requireTeamMembershipWrite(actor: Actor, team: Team): Promise<void> {
    const viewer = this.viewer(actor);
    if (viewer === null) return;
    refuse(teamMembershipRefusal(viewer, teamMembership(team)));
  }
}
