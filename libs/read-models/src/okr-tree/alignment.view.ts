export interface AlignmentNodeView {
  readonly objectiveId: string;
  /** The parent objective, or for an objective aligned to a key result, that key result's objective. */
  readonly parentId: string | null;
  readonly depth: number;
  readonly progress: number;
}
