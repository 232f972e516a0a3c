export const HEALTH_VALUES = ['NOT_STARTED', 'ON_TRACK', 'AT_RISK', 'OFF_TRACK', 'DONE'] as const;
export type Health = (typeof HEALTH_VALUES)[number];

/** r = progress ÷ expected progress; at or above these it is ON_TRACK / AT_RISK. */
export const ON_TRACK_RATIO = 0.7;
export const AT_RISK_RATIO = 0.4;

export interface HealthInput {
  readonly progress: number;
  /** Whether anyone has checked in yet (for an objective: on any of its key results). */
  readonly checkedIn: boolean;
  /** UTC ISO-8601 instants. */
  readonly cycleStartsAt: string;
  readonly cycleEndsAt: string;
  readonly at: string;
}

/** Progress expected at `at`: 0 at the cycle's start growing linearly to 1 at its end. */
export function expectedProgress(cycleStartsAt: string, cycleEndsAt: string, at: string): number {
  return expectedProgressAt(Date.parse(cycleStartsAt), Date.parse(cycleEndsAt), Date.parse(at));
}

/** `expectedProgress` on epoch milliseconds (a read path holding Dates need not format them). */
export function expectedProgressAt(start: number, end: number, now: number): number {
  if (Number.isNaN(start) || Number.isNaN(end) || Number.isNaN(now)) return 0;
  if (end <= start) return now >= end ? 1 : 0;
  return Math.min(1, Math.max(0, (now - start) / (end - start)));
}

export function health(input: HealthInput): Health {
  const { cycleStartsAt, cycleEndsAt, at } = input;
  return healthAt(input, { startsAt: cycleStartsAt, endsAt: cycleEndsAt }, at);
}

/** A cycle's window as health reads it (UTC ISO-8601 instants). */
export interface CycleWindow {
  readonly startsAt: string;
  readonly endsAt: string;
}

/**
 * Health at an instant (ADR 0002), with or without a cycle. Without one (none is known for the
 * score, e.g. not yet projected) the rules before the calendar still hold, and nothing can be
 * expected yet, so it reads as at a cycle's start: ON_TRACK.
 */
export function healthAt(
  score: Pick<HealthInput, 'progress' | 'checkedIn'>,
  cycle: CycleWindow | null,
  at: string,
): Health {
  const expected = cycle ? expectedProgress(cycle.startsAt, cycle.endsAt, at) : 0;
  return healthAtExpected(score.progress, score.checkedIn, expected);
}

/** `healthAt` given the progress expected at that instant (`expectedProgressAt`; 0 without a cycle). */
export function healthAtExpected(progress: number, checkedIn: boolean, expected: number): Health {
  // Nothing reported yet says nothing about the track, even if the start value already scores.
  if (!checkedIn) return 'NOT_STARTED';
  if (progress >= 1) return 'DONE';
  // Before (or at) the start nothing is expected yet, so nobody can be behind.
  if (expected <= 0) return 'ON_TRACK';
  const ratio = (Number.isFinite(progress) ? progress : 0) / expected;
  if (ratio >= ON_TRACK_RATIO) return 'ON_TRACK';
  if (ratio >= AT_RISK_RATIO) return 'AT_RISK';
  return 'OFF_TRACK';
}
