export * from './time-travel.queries';
export * from './time-travel.errors';
export {
  alignmentTreeOf,
  CycleFold,
  type CycleFrame,
  type CycleScores,
  type CycleSnapshot,
  type KeyResultFrame,
  type ObjectiveFrame,
} from './cycle-fold.projection';
export {
  DEFAULT_MAX_FRAMES,
  REPLAY_INTERVALS,
  replayInstants,
  type ReplayInterval,
} from './replay-schedule.frames';
