import type { CheckInSource, Health } from '@okr-ledger/okr';
import { el, num } from './svg.builder';

/** How each health reads on every chart and on the retrospective page. */
export const HEALTH_COLOURS: Readonly<Record<Health, string>> = {
  NOT_STARTED: '#9ca3af',
  ON_TRACK: '#16a34a',
  AT_RISK: '#f59e0b',
  OFF_TRACK: '#dc2626',
  DONE: '#2563eb',
};

/** Light fills for the bands behind the burn-up. */
export const BAND_COLOURS: Readonly<Record<'ON_TRACK' | 'AT_RISK' | 'OFF_TRACK', string>> = {
  ON_TRACK: '#dcfce7',
  AT_RISK: '#fef3c7',
  OFF_TRACK: '#fee2e2',
};

/** Distinct series colours (Tableau 10), one per objective in creation order. */
export const SERIES_COLOURS = [
  '#4e79a7',
  '#f28e2b',
  '#59a14f',
  '#b07aa1',
  '#e15759',
  '#76b7b2',
  '#edc948',
  '#ff9da7',
  '#9c755f',
  '#bab0ac',
] as const;

export function seriesColour(index: number): string {
  return SERIES_COLOURS[index % SERIES_COLOURS.length] ?? '#4e79a7';
}

/**
 * A check-in's confidence as a colour from red (0) through amber to green (1); grey when none
 * was given. A continuous scale: confidence has no thresholds of its own to draw.
 */
export function confidenceColour(confidence: number | null): string {
  if (confidence === null || !Number.isFinite(confidence)) return '#9ca3af';
  const c = Math.min(1, Math.max(0, confidence));
  const hue = Math.round(c * 120);
  return `hsl(${hue}, 70%, 42%)`;
}

/** Manual check-ins are circles, integration ones squares: told apart without colour. */
export const SOURCE_SHAPES: Readonly<Record<CheckInSource, 'circle' | 'square'>> = {
  MANUAL: 'circle',
  INTEGRATION: 'square',
};

export const DAY_MS = 24 * 60 * 60 * 1000;

export function isoDay(date: Date): string {
  return date.toISOString().slice(0, 10);
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** "12 Aug", UTC like every instant of the API. */
export function shortDay(date: Date): string {
  return `${date.getUTCDate()} ${MONTHS[date.getUTCMonth()] ?? ''}`;
}

/**
 * A change (redefinition, revision) as every chart marks it: a dashed violet line from `top`
 * to `bottom` at `x`, under a diamond above the plot.
 */
export function changeMarkerGlyph(
  x: number,
  top: number,
  bottom: number,
  strokeWidth?: number,
): string {
  return (
    el('line', {
      x1: x,
      x2: x,
      y1: top,
      y2: bottom,
      stroke: '#7c3aed',
      'stroke-width': strokeWidth,
      'stroke-dasharray': '3 3',
    }) + el('path', { d: `M${num(x)},${num(top - 14)} l6,7 l-6,7 l-6,-7 z`, fill: '#7c3aed' })
  );
}
