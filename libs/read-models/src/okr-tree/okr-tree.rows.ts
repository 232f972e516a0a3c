import type {
  CycleStatus,
  KeyResultKind,
  KeyResultScoring,
  KeyResultType,
  Visibility,
} from '@okr-ledger/okr';

/** Rows as stored (snake_case), shared by the okr-tree projection and the queries. */
export interface CycleRow {
  tenant_id: string;
  id: string;
  name: string;
  starts_at: Date | string;
  ends_at: Date | string;
  status: CycleStatus;
  progress: number;
  version: number;
  last_position: string;
}

export interface ObjectiveRow {
  tenant_id: string;
  id: string;
  cycle_id: string;
  title: string;
  description: string | null;
  owner_id: string | null;
  team_id: string | null;
  parent_objective_id: string | null;
  parent_key_result_id: string | null;
  parent_key_result_objective_id: string | null;
  visibility: Visibility;
  shared_with: string[];
  archived: boolean;
  progress: number;
  checked_in: boolean;
  version: number;
  created_at: Date | string;
  last_position: string;
}

export interface InitiativeJson {
  id: string;
  title: string;
  dueDate: string | null;
  completed: boolean;
}

export interface KeyResultRow {
  tenant_id: string;
  id: string;
  objective_id: string;
  cycle_id: string;
  title: string;
  owner_id: string | null;
  type: KeyResultType;
  kind: KeyResultKind;
  scoring: KeyResultScoring;
  start_value: number;
  target_value: number;
  current_value: number;
  /** When current_value was true; null before the first check-in. */
  measured_at: Date | string | null;
  unit: string | null;
  weight: number;
  own_progress: number;
  progress: number;
  confidence: number | null;
  data_source_url: string | null;
  health_metric: boolean;
  check_in_count: number;
  initiatives: InitiativeJson[];
  version: number;
  created_at: Date | string;
  last_position: string;
}

export interface AlignmentEdgeRow {
  tenant_id: string;
  child_objective_id: string;
  cycle_id: string;
  parent_kind: 'OBJECTIVE' | 'KEY_RESULT' | null;
  parent_key_result_id: string | null;
  /** The parent objective, or for a key-result parent, that key result's objective. */
  parent_objective_id: string | null;
  progress: number;
  archived: boolean;
  created_at: Date | string;
}

export function edgeOf(o: ObjectiveRow): AlignmentEdgeRow {
  return {
    tenant_id: o.tenant_id,
    child_objective_id: o.id,
    cycle_id: o.cycle_id,
    parent_kind: o.parent_objective_id ? 'OBJECTIVE' : o.parent_key_result_id ? 'KEY_RESULT' : null,
    parent_key_result_id: o.parent_key_result_id,
    parent_objective_id: o.parent_objective_id ?? o.parent_key_result_objective_id,
    progress: o.progress,
    archived: o.archived,
    created_at: o.created_at,
  };
}
