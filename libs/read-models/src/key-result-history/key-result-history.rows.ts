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
  /** The key result's current value after this point: the latest measured (ADR 0014). */
  current_value: number;
  /** When current_value was true; null before the first check-in. */
  current_measured_at: string | Date | null;
  /** A check-in point's own value and when it was true; null for a definition point. */
  value: number | null;
  measured_at: string | Date | null;
  progress: number;
  confidence: number | null;
  check_in_count: number;
}
