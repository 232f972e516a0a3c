import type { DataSourceKeyRevoked, DataSourceRegistered } from '../data-source/data-source.events';
import type {
  CheckInSource,
  KeyResultAdded,
  KeyResultCheckedIn,
  KeyResultRedefined,
  KeyResultType,
} from '../key-result/key-result.events';
import { keyResultProgress } from '../scoring/progress.score';

/**
 * Signals for auditors: patterns in a key result's recorded history that deserve a second look.
 * They accuse no one; each names the events it rests on so an auditor can read them. Pure
 * functions over the recorded events, in an incremental form (state + one event → the state
 * after it and the signals it raised) so a projection keeps them as the log grows.
 */
export const AUDIT_SIGNAL_KINDS = [
  /** A person typed a value into a key result a data source feeds, not the value it sent. */
  'MANUAL_OVERRIDE',
  /** A value recorded long after the instant it describes. */
  'BACKDATED_VALUE',
  /** A value recorded after the key result's cycle closed (its scores were frozen). */
  'CORRECTED_AFTER_CLOSE',
  /** A change far beyond what the key result's past changes make plausible. */
  'IMPLAUSIBLE_JUMP',
  /** "On track" confidence on several check-ins in a row while the value did not move. */
  'STALE_CONFIDENCE',
] as const;
export type AuditSignalKind = (typeof AUDIT_SIGNAL_KINDS)[number];

// The thresholds (ADR 0016 explains each).
/** BACKDATED_VALUE: measuredAt more than this before recordedAt. */
export const BACKDATED_AFTER_HOURS = 48;
/** IMPLAUSIBLE_JUMP: past changes needed before a change can be judged. */
export const JUMP_MIN_HISTORY = 5;
/** IMPLAUSIBLE_JUMP: the most recent changes the baseline is taken over. */
export const JUMP_WINDOW = 12;
/**
 * IMPLAUSIBLE_JUMP: robust z-score (distance from the median change in scaled MADs, or scaled
 * mean absolute deviations when the MAD is 0) above which a change is a jump.
 */
export const JUMP_ROBUST_Z = 6;
/**
 * IMPLAUSIBLE_JUMP: and the distance must exceed this share of |target − start| (else a flat
 * history would flag any move).
 */
export const JUMP_MIN_SHARE_OF_SPAN = 0.25;
/** STALE_CONFIDENCE: a confidence at or above this is "on track" (DESIGN §2's good score). */
export const STALE_CONFIDENCE_AT_LEAST = 0.7;
/** STALE_CONFIDENCE: check-ins in a row with the same value and such a confidence. */
export const STALE_CONFIDENCE_CHECK_INS = 3;

// The MAD of a normal distribution times this is its standard deviation.
const MAD_TO_SIGMA = 1.4826;
// The mean absolute deviation of a normal distribution times this is its standard deviation.
const MEAN_AD_TO_SIGMA = 1.2533;
// Corrections come soon after what they correct (older ones are still named by id in the
// event); a bound keeps the stored state small.
const RECENT_CHECK_INS = 16;
const HOUR_MS = 60 * 60 * 1000;

/** An event a signal rests on: its global position and id. */
export interface SignalEvidence {
  readonly position: string;
  readonly eventId: string;
  readonly eventType: string;
}

export interface AuditSignal {
  readonly kind: AuditSignalKind;
  readonly keyResultId: string;
  /** The event that raised it; with `kind`, the signal's identity. */
  readonly position: string;
  /** When the raising event was recorded. */
  readonly detectedAt: string;
  /** Every event it rests on, the raising one included, in log order. */
  readonly restsOn: readonly SignalEvidence[];
  readonly summary: string;
}

/** Where and when an event was recorded, and by whom. */
export interface SignalRecording {
  readonly position: string;
  readonly eventId: string;
  /** ISO-8601 instant. */
  readonly recordedAt: string;
  readonly actorId: string;
}

/**
 * The events the signals read. A data source's registration lists the key results it feeds;
 * its revocation lists none, so the caller hands it to each key result the registration listed.
 */
export type SignalEvent =
  | KeyResultAdded
  | KeyResultRedefined
  | KeyResultCheckedIn
  | DataSourceRegistered
  | DataSourceKeyRevoked;

/** What the other aggregates say at that moment: the close of the key result's cycle, if any. */
export interface SignalContext {
  readonly cycleClosed: (SignalEvidence & { readonly recordedAt: string }) | null;
}

interface ValueRef extends SignalEvidence {
  readonly value: number;
  /** When it was true, in epoch milliseconds (parsed once). */
  readonly measuredMs: number;
}

/**
 * An integration feeding a key result: a data source's registration listing it, or else the
 * first INTEGRATION value of a source no registration lists (`dataSourceId` null: a check-in
 * sent as INTEGRATION without a registered source, which nothing can revoke).
 */
interface Feed extends SignalEvidence {
  readonly dataSourceId: string | null;
  /** The registration's name; null for an unregistered integration. */
  readonly name: string | null;
  /** Its latest measured value. */
  readonly last: ValueRef | null;
}

/**
 * One key result's detector memory. Plain JSON (no Map, no Date), so a projection can store it
 * and go on from it exactly as if it had never stopped.
 */
export interface SignalState {
  readonly keyResultId: string;
  readonly type: KeyResultType | null;
  readonly startValue: number;
  readonly targetValue: number;
  /** The integrations feeding it, oldest first; a revoked data source is no longer one. */
  readonly feeds: readonly Feed[];
  readonly last: ValueRef | null;
  /** The most recent value changes between check-ins, oldest first (at most JUMP_WINDOW). */
  readonly changes: readonly number[];
  /**
   * A redefinition changed the scale (type, start or target): the next change crosses scales,
   * so it is neither judged nor kept.
   */
  readonly rescaled: boolean;
  readonly lastConfidence: number | null;
  /**
   * The most recent integration values (at most RECENT_CHECK_INS), for what a correction
   * corrects: only a data source corrects, its own value.
   */
  readonly recent: readonly (SignalEvidence & { readonly checkInId: string })[];
  /** The current run of check-ins with one value and an on-track confidence. */
  readonly run: { readonly value: number; readonly checkIns: readonly SignalEvidence[] } | null;
}

export const initialSignalState = (keyResultId: string): SignalState => ({
  keyResultId,
  type: null,
  startValue: 0,
  targetValue: 0,
  feeds: [],
  last: null,
  changes: [],
  rescaled: false,
  lastConfidence: null,
  recent: [],
  run: null,
});

export interface SignalStep {
  readonly state: SignalState;
  readonly signals: readonly AuditSignal[];
}

/**
 * The state after `event` and the signals it raised. Events of other key results (a data
 * source listing others) change nothing.
 */
export function detectSignals(
  state: SignalState,
  event: SignalEvent,
  recorded: SignalRecording,
  context: SignalContext = { cycleClosed: null },
): SignalStep {
  const self: SignalEvidence = {
    position: recorded.position,
    eventId: recorded.eventId,
    eventType: event.type,
  };
  switch (event.type) {
    case 'KeyResultAdded': {
      const { type, startValue, targetValue } = event.data;
      return { state: { ...state, type, startValue, targetValue }, signals: [] };
    }
    case 'KeyResultRedefined': {
      let next = state;
      for (const change of event.data.changes) {
        if (change.field === 'type') next = { ...next, type: change.to };
        if (change.field === 'startValue') next = { ...next, startValue: change.to };
        if (change.field === 'targetValue') next = { ...next, targetValue: change.to };
      }
      // Another metric from here on: earlier changes and runs say nothing about it.
      if (next !== state) next = { ...next, changes: [], rescaled: true, run: null };
      return { state: next, signals: [] };
    }
    case 'DataSourceRegistered': {
      if (!event.data.keyResultIds.includes(state.keyResultId)) return { state, signals: [] };
      if (state.feeds.some((f) => f.dataSourceId === event.data.dataSourceId))
        return { state, signals: [] };
      const feed = {
        ...self,
        dataSourceId: event.data.dataSourceId,
        name: event.data.name,
        last: null,
      };
      return { state: { ...state, feeds: [...state.feeds, feed] }, signals: [] };
    }
    case 'DataSourceKeyRevoked': {
      // It sends nothing any more: neither its listing nor its values make this key result fed.
      const feeds = state.feeds.filter((f) => f.dataSourceId !== event.data.dataSourceId);
      return feeds.length === state.feeds.length
        ? { state, signals: [] }
        : { state: { ...state, feeds }, signals: [] };
    }
    case 'KeyResultCheckedIn':
      return checkedIn(state, event.data, self, recorded, context);
    default: {
      const _exhaustive: never = event;
      return { state, signals: [] };
    }
  }
}

function checkedIn(
  state: SignalState,
  data: KeyResultCheckedIn['data'],
  self: SignalEvidence,
  recorded: SignalRecording,
  context: SignalContext,
): SignalStep {
  const signals: AuditSignal[] = [];
  const raise = (kind: AuditSignalKind, restsOn: readonly SignalEvidence[], summary: string) =>
    signals.push({
      kind,
      keyResultId: state.keyResultId,
      position: self.position,
      detectedAt: recorded.recordedAt,
      restsOn: inLogOrder([...restsOn, self]),
      summary,
    });
  const value = data.value;
  const source: CheckInSource = data.source;

  const override = manualOverride(state.feeds, source, value);
  if (override)
    raise('MANUAL_OVERRIDE', override.restsOn, `${recorded.actorId} ${override.summary}`);

  // A data source is named as its registration names it; anyone else by actor id.
  const feed =
    source === 'INTEGRATION'
      ? state.feeds.find((f) => f.dataSourceId === data.dataSourceId)
      : undefined;
  const by = feed?.name ? `data source "${feed.name}"` : recorded.actorId;
  const measuredAt = data.measuredAt;
  const measuredMs = Date.parse(measuredAt);
  const lateMs = Date.parse(recorded.recordedAt) - measuredMs;
  if (lateMs > BACKDATED_AFTER_HOURS * HOUR_MS) {
    raise(
      'BACKDATED_VALUE',
      [],
      `${value} measured at ${measuredAt} was recorded ${describeHours(lateMs)} later (${recorded.recordedAt}), by ${by}`,
    );
  }

  const closed = context.cycleClosed;
  if (closed !== null && closed.position < self.position) {
    const corrected = state.recent.find((c) => c.checkInId === data.correctsCheckInId);
    const corrects = data.correctsCheckInId ? ' as a correction' : '';
    raise(
      'CORRECTED_AFTER_CLOSE',
      [
        { position: closed.position, eventId: closed.eventId, eventType: closed.eventType },
        ...(corrected ? [evidenceOf(corrected)] : []),
      ],
      `${value} (measured at ${measuredAt}) was recorded${corrects} by ${by} after the cycle closed at ${closed.recordedAt}`,
    );
  }

  const here: ValueRef = { ...self, value, measuredMs };
  const recent =
    source === 'INTEGRATION'
      ? [...state.recent, { ...self, checkInId: data.checkInId }].slice(-RECENT_CHECK_INS)
      : state.recent;
  const feeds = source === 'INTEGRATION' ? sentBy(state.feeds, feed, data, here) : state.feeds;
  // A value measured before the latest one fills history but is not the current value: no
  // move to judge, and it neither extends nor breaks a run.
  if (state.last !== null && measuredMs < state.last.measuredMs) {
    return { state: { ...state, feeds, recent }, signals };
  }

  const jump = state.rescaled ? null : implausibleJump(state, value);
  if (jump && state.last) raise('IMPLAUSIBLE_JUMP', [evidenceOf(state.last)], jump);

  const confidence = data.confidence ?? state.lastConfidence;
  // A key result at its target is done, not stale: staying there is the point.
  const done =
    state.type !== null &&
    keyResultProgress({
      type: state.type,
      startValue: state.startValue,
      targetValue: state.targetValue,
      currentValue: value,
    }) >= 1;
  const onTrack = !done && confidence !== null && confidence >= STALE_CONFIDENCE_AT_LEAST;
  let run: SignalState['run'] = null;
  if (onTrack) {
    run =
      state.run !== null && Object.is(state.run.value, value)
        ? { value, checkIns: [...state.run.checkIns, self] }
        : { value, checkIns: [self] };
    // Once per run: the run reaching the threshold is the news, its length is in the trail.
    if (run.checkIns.length === STALE_CONFIDENCE_CHECK_INS) {
      raise(
        'STALE_CONFIDENCE',
        run.checkIns,
        `confidence ${confidence} ("on track") on ${STALE_CONFIDENCE_CHECK_INS} check-ins in a row while the value stayed at ${value}`,
      );
    }
  }

  const changes =
    state.last === null || state.rescaled
      ? state.changes
      : [...state.changes, value - state.last.value].slice(-JUMP_WINDOW);
  return {
    state: {
      ...state,
      last: here,
      feeds,
      changes,
      rescaled: false,
      lastConfidence: confidence,
      recent,
      run,
    },
    signals,
  };
}

/** The feeds after an INTEGRATION value: its source's latest measured value, or a new feed. */
function sentBy(
  feeds: readonly Feed[],
  feed: Feed | undefined,
  data: KeyResultCheckedIn['data'],
  here: ValueRef,
): readonly Feed[] {
  if (feed === undefined)
    return [
      ...feeds,
      { ...evidenceOf(here), dataSourceId: data.dataSourceId, name: null, last: here },
    ];
  if (feed.last !== null && here.measuredMs < feed.last.measuredMs) return feeds;
  return feeds.map((f) => (f === feed ? { ...f, last: here } : f));
}

function manualOverride(
  feeds: readonly Feed[],
  source: CheckInSource,
  value: number,
): { restsOn: SignalEvidence[]; summary: string } | null {
  if (source !== 'MANUAL' || feeds.length === 0) return null;
  // What the integrations say now: the latest measured value of those still feeding it.
  let sentFrom: Feed | undefined;
  let sent: ValueRef | null = null;
  for (const f of feeds) {
    if (f.last !== null && (sent === null || f.last.measuredMs >= sent.measuredMs)) {
      sentFrom = f;
      sent = f.last;
    }
  }
  // Typing in what the system sent confirms it; anything else overrides it.
  if (sent !== null && Object.is(sent.value, value)) return null;
  // Named as the source that sent the value, else as the first registration.
  const feed = sentFrom?.name ? sentFrom : (feeds.find((f) => f.name !== null) ?? feeds[0]);
  const restsOn = [...(feed ? [evidenceOf(feed)] : []), ...(sent ? [evidenceOf(sent)] : [])];
  const by = feed?.name ? `data source "${feed.name}"` : 'an integration';
  const what = sent ? `the last value it sent was ${sent.value}` : 'it had sent no value yet';
  return { restsOn, summary: `checked in ${value} by hand on a key result fed by ${by}; ${what}` };
}

/**
 * A change is judged against the most recent JUMP_WINDOW changes between check-ins: its
 * distance from their median, in median absolute deviations scaled to a standard deviation
 * (robust to the odd earlier outlier), and in shares of the key result's span.
 */
function implausibleJump(state: SignalState, value: number): string | null {
  if (state.last === null || state.type === 'MILESTONE') return null;
  if (state.changes.length < JUMP_MIN_HISTORY) return null;
  const change = value - state.last.value;
  const center = median(state.changes);
  const deviations = state.changes.map((c) => Math.abs(c - center));
  // More than half the changes equal (a small integer metric: 0, 0, 1, 0 …) make the MAD 0;
  // the mean absolute deviation still sees the odd ones (Iglewicz & Hoaglin's fallback).
  const mad = median(deviations);
  const spread =
    mad > 0
      ? MAD_TO_SIGMA * mad
      : (MEAN_AD_TO_SIGMA * deviations.reduce((sum, d) => sum + d, 0)) / deviations.length;
  const distance = Math.abs(change - center);
  const span = Math.abs(state.targetValue - state.startValue);
  if (distance <= JUMP_MIN_SHARE_OF_SPAN * span) return null;
  if (spread > 0 && distance <= JUMP_ROBUST_Z * spread) return null;
  const z = spread > 0 ? `${round(distance / spread)} robust standard deviations` : 'no spread';
  return `the value went from ${state.last.value} to ${value} (${signed(change)}), while the last ${state.changes.length} changes had a median of ${signed(round(center))} (${z})`;
}

/** The median of a non-empty list. */
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  const upper = sorted[mid] ?? 0;
  return sorted.length % 2 === 1 ? upper : ((sorted[mid - 1] ?? 0) + upper) / 2;
}

const evidenceOf = ({ position, eventId, eventType }: SignalEvidence): SignalEvidence => ({
  position,
  eventId,
  eventType,
});

function inLogOrder(evidence: readonly SignalEvidence[]): SignalEvidence[] {
  const byPosition = new Map(evidence.map((e) => [e.position, e]));
  return [...byPosition.values()].sort((a, b) => (a.position < b.position ? -1 : 1));
}

const round = (n: number): number => Math.round(n * 100) / 100;
const signed = (n: number): string => (n > 0 ? `+${n}` : String(n));

function describeHours(ms: number): string {
  const hours = ms / HOUR_MS;
  return hours >= 48 ? `${round(hours / 24)} days` : `${round(hours)} hours`;
}
