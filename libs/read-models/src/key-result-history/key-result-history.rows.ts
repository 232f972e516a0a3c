import type { KeyResultType } from '@okr-ledger/okr';

/** A row of read_models.key_result_history, as the projection writes it (`at` as text). */
export interface PointRow {
  tenant_id: string;
  key_result_id: string;
  position: string;
  at: string;
  event_type: string;
  type: KeyResultType;
  start_value: number;
  target_value: number;
  current_value: number;
  progress: number;
  confidence: number | null;
  check_in_count: number;
}
