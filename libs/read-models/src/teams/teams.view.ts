export interface TeamView {
  readonly id: string;
  readonly name: string;
  readonly parentId: string | null;
  readonly version: number;
}

export interface TeamMemberView {
  readonly teamId: string;
  readonly personId: string;
  readonly lead: boolean;
}
