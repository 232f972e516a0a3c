/** A row of read_models.teams, as the projection writes it and the queries read it. */
export interface TeamRow {
  tenant_id: string;
  id: string;
  name: string;
  parent_id: string | null;
  version: number;
  last_position: string;
}
