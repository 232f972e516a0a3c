import type { DomainEvent, FieldChangeOf } from '../decider';

export const objectiveStream = (objectiveId: string): string => `objective-${objectiveId}`;

/**
 * What an objective is aligned to. A key-result parent also names that key result's own
 * objective, so trees and loop checks need no lookup.
 */
export type ObjectiveParent =
  | { readonly kind: 'OBJECTIVE'; readonly objectiveId: string }
  | { readonly kind: 'KEY_RESULT'; readonly keyResultId: string; readonly objectiveId: string };

/** The revisable fields, keyed by their GraphQL names. */
export type ObjectiveDefinition = {
  readonly title: string;
  readonly description: string | null;
  readonly ownerId: string | null;
  readonly teamId: string | null;
};
export const OBJECTIVE_REVISABLE_FIELDS = [
  'title',
  'description',
  'ownerId',
  'teamId',
] as const satisfies readonly (keyof ObjectiveDefinition)[];

export type ObjectiveFieldChange = FieldChangeOf<ObjectiveDefinition>;

export type ObjectiveSet = DomainEvent<
  'ObjectiveSet',
  ObjectiveDefinition & {
    readonly objectiveId: string;
    readonly cycleId: string;
    readonly parent: ObjectiveParent | null;
  }
>;
/** Only the fields that really changed, each with its old and new value. */
export type ObjectiveRevised = DomainEvent<
  'ObjectiveRevised',
  {
    readonly objectiveId: string;
    readonly changes: readonly ObjectiveFieldChange[];
    readonly reason: string | null;
  }
>;
export type ObjectiveAligned = DomainEvent<
  'ObjectiveAligned',
  {
    readonly objectiveId: string;
    readonly from: ObjectiveParent | null;
    readonly to: ObjectiveParent | null;
    readonly reason: string | null;
  }
>;
/** Archived objectives keep their history and refuse every later change. */
export type ObjectiveArchived = DomainEvent<
  'ObjectiveArchived',
  { readonly objectiveId: string; readonly reason: string | null }
>;

export type ObjectiveEvent = ObjectiveSet | ObjectiveRevised | ObjectiveAligned | ObjectiveArchived;

export const OBJECTIVE_EVENT_TYPES = [
  'ObjectiveSet',
  'ObjectiveRevised',
  'ObjectiveAligned',
  'ObjectiveArchived',
] as const satisfies readonly ObjectiveEvent['type'][];
