/** A row of read_models.teams, as the projection writes it and the queries read it. */
export interface TeamRow {
  tenant_id: string;
  id: string;
  name: string;
  parent_id: string | null;
  version: number;
  last_position: string;
}

/** A row of read_models.team_members: one person in one team now. */
export interface TeamMemberRow {
  tenant_id: string;
  team_id: string;
  person_id: string;
  lead: boolean;
}
