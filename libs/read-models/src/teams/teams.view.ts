export interface TeamView {
  readonly id: string;
  readonly name: string;
  readonly parentId: string | null;
  readonly version: number;
}
