import type { Visibility } from '../access/visibility.policy';
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
    /** Since release 2; earlier ones are upcast to PUBLIC (everything was visible then). */
    readonly visibility: Visibility;
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

export type ObjectiveVisibilityChanged = DomainEvent<
  'ObjectiveVisibilityChanged',
  {
    readonly objectiveId: string;
    readonly from: Visibility;
    readonly to: Visibility;
    readonly reason: string | null;
  }
>;
/** The person may see the objective whatever its visibility (until unshared). */
export type ObjectiveShared = DomainEvent<
  'ObjectiveShared',
  { readonly objectiveId: string; readonly personId: string }
>;
export type ObjectiveUnshared = DomainEvent<
  'ObjectiveUnshared',
  { readonly objectiveId: string; readonly personId: string }
>;

export type ObjectiveEvent =
  | ObjectiveSet
  | ObjectiveRevised
  | ObjectiveAligned
  | ObjectiveArchived
  | ObjectiveVisibilityChanged
  | ObjectiveShared
  | ObjectiveUnshared;

export const OBJECTIVE_EVENT_TYPES = [
  'ObjectiveSet',
  'ObjectiveRevised',
  'ObjectiveAligned',
  'ObjectiveArchived',
  'ObjectiveVisibilityChanged',
  'ObjectiveShared',
  'ObjectiveUnshared',
] as const satisfies readonly ObjectiveEvent['type'][];
