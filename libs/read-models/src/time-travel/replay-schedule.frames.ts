import { InvalidReplayRange, TooManyReplayFrames } from './time-travel.errors';

export const REPLAY_INTERVALS = ['DAY', 'WEEK'] as const;
export type ReplayInterval = (typeof REPLAY_INTERVALS)[number];

const DAY_MS = 24 * 60 * 60 * 1000;
// UTC arithmetic on instants: a day is always 24 h, so daylight saving never shifts a frame.
export const INTERVAL_MS: Readonly<Record<ReplayInterval, number>> = {
  DAY: DAY_MS,
  WEEK: 7 * DAY_MS,
};

/** Enough for a daily replay of a whole year; a longer one is almost surely a mistake. */
export const DEFAULT_MAX_FRAMES = 400;

/** Frames at from, from + every, … and a last one at `to` (exactly one when from = to). */
export function replayInstants(
  from: Date,
  to: Date,
  every: ReplayInterval,
  maxFrames: number = DEFAULT_MAX_FRAMES,
): Date[] {
  const start = from.getTime();
  const end = to.getTime();
  if (Number.isNaN(start) || Number.isNaN(end) || end < start) {
    throw new InvalidReplayRange(from, to);
  }
  const step = INTERVAL_MS[every];
  const steps = Math.floor((end - start) / step);
  // The last frame is `to` itself unless a step lands exactly on it.
  const count = steps + 1 + (start + steps * step < end ? 1 : 0);
  if (count > maxFrames) throw new TooManyReplayFrames(count, maxFrames);
  const instants: Date[] = [];
  for (let i = 0; i <= steps; i++) instants.push(new Date(start + i * step));
  if (start + steps * step < end) instants.push(new Date(end));
  return instants;
}
