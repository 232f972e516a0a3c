// The public surface of the OKR domain: deciders, events, commands, states, errors, scoring.
import { CYCLE_EVENT_TYPES } from './cycle/cycle.events';
import { KEY_RESULT_EVENT_TYPES } from './key-result/key-result.events';
import { OBJECTIVE_EVENT_TYPES } from './objective/objective.events';
import { TEAM_EVENT_TYPES } from './team/team.events';
import { DATA_SOURCE_EVENT_TYPES } from './data-source/data-source.events';
import type { CycleEvent } from './cycle/cycle.events';
import type { KeyResultEvent } from './key-result/key-result.events';
import type { ObjectiveEvent } from './objective/objective.events';
import type { TeamEvent } from './team/team.events';
import type { DataSourceEvent } from './data-source/data-source.events';

export * from './decider';
export * from './okr.errors';
export * from './access/visibility.policy';
export * from './access/write.policy';
export * from './team/team.events';
export * from './team/team.state';
export * from './team/team.decide';
export * from './cycle/cycle.events';
export * from './cycle/cycle.state';
export * from './cycle/cycle.decide';
export * from './objective/objective.events';
export * from './objective/objective.state';
export * from './objective/objective.decide';
export * from './key-result/key-result.events';
export * from './key-result/key-result.state';
export * from './key-result/key-result.decide';
export * from './data-source/data-source.events';
export * from './data-source/data-source.state';
export * from './data-source/data-source.decide';
export * from './data-source/data-source.staleness';
export * from './scoring/progress.score';
export * from './scoring/cascade.score';
export * from './scoring/health.score';
export * from './scoring/valid-time.score';
export * from './okr.upcasts';
export * from './signals/audit-signals.detect';

export type OkrEvent = TeamEvent | CycleEvent | ObjectiveEvent | KeyResultEvent | DataSourceEvent;
export type OkrEventType = OkrEvent['type'];

/** Every event type name; they are public (the audit trail shows and filters on them). */
export const OKR_EVENT_TYPES = [
  ...TEAM_EVENT_TYPES,
  ...CYCLE_EVENT_TYPES,
  ...OBJECTIVE_EVENT_TYPES,
  ...KEY_RESULT_EVENT_TYPES,
  ...DATA_SOURCE_EVENT_TYPES,
] as const;

// Fails to compile when an event type is missing from the list above.
const _everyEventTypeListed: [Exclude<OkrEventType, (typeof OKR_EVENT_TYPES)[number]>] extends [
  never,
]
  ? true
  : false = true;

export function isOkrEventType(type: string): type is OkrEventType {
  return (OKR_EVENT_TYPES as readonly string[]).includes(type);
}
