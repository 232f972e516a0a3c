import type { EventStore } from '@okr-ledger/event-store';
import {
  objectiveDecider,
  objectiveStream,
  teamDecider,
  teamStream,
  type ObjectiveState,
  type TeamState,
} from '@okr-ledger/okr';
import { loadState } from './command-context';

/** Answers "what is above this node?" for the loop checks of alignment and team moves. */
export interface AncestryPort {
  /** The objective itself first, then its parent objective, and so on up to a root. */
  objectiveLineage(tenantId: string, objectiveId: string): Promise<string[]>;
  /** The team itself first, then its parent, and so on. */
  teamLineage(tenantId: string, teamId: string): Promise<string[]>;
}

// Far deeper than any real alignment tree; stops a corrupt history from looping forever.
const MAX_DEPTH = 64;

/**
 * Walks the parent links in the aggregates' own streams: exact and free of projection lag, at
 * one stream read per level (trees are a handful of levels deep).
 */
export class StreamAncestry implements AncestryPort {
  constructor(private readonly store: EventStore) {}

  async objectiveLineage(tenantId: string, objectiveId: string): Promise<string[]> {
    const lineage: string[] = [];
    let current: string | null = objectiveId;
    while (current !== null && lineage.length < MAX_DEPTH && !lineage.includes(current)) {
      lineage.push(current);
      const state: ObjectiveState = await loadState(
        this.store,
        objectiveStream(current),
        tenantId,
        objectiveDecider,
      );
      current = state?.parent?.objectiveId ?? null;
    }
    return lineage;
  }

  async teamLineage(tenantId: string, teamId: string): Promise<string[]> {
    const lineage: string[] = [];
    let current: string | null = teamId;
    while (current !== null && lineage.length < MAX_DEPTH && !lineage.includes(current)) {
      lineage.push(current);
      const state: TeamState = await loadState(
        this.store,
        teamStream(current),
        tenantId,
        teamDecider,
      );
      current = state?.parentTeamId ?? null;
    }
    return lineage;
  }
}
