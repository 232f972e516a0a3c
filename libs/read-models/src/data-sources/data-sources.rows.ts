/** The rows the data-sources projection writes (snake_case, as stored). */
export interface DataSourceRow {
  tenant_id: string;
  id: string;
  name: string;
  kind: string;
  expected_interval_hours: number;
  revoked: boolean;
  registered_at: string;
  version: number;
  last_position: string;
}

export interface DataSourceKeyResultRow {
  tenant_id: string;
  data_source_id: string;
  key_result_id: string;
  last_value_at: string | null;
}
