import type { CheckInSource } from '@okr-ledger/okr';
import type { ChartMarker } from './burn-up.chart';
import {
  changeMarkerGlyph,
  confidenceColour,
  DAY_MS,
  shortDay,
  SOURCE_SHAPES,
} from './chart-style';
import { el, linear, points, svgDocument, text, title } from './svg.builder';

export interface HistoryPoint {
  readonly at: Date;
  readonly eventType: string;
  readonly value: number;
  readonly target: number;
}

export interface HistoryCheckIn {
  readonly at: Date;
  readonly value: number;
  readonly confidence: number | null;
  readonly source: CheckInSource;
  readonly actorId: string;
}

export interface KeyResultHistoryData {
  readonly keyResult: { readonly id: string; readonly title: string; readonly unit: string | null };
  /** The cycle's window, widened to every point. */
  readonly from: Date;
  readonly to: Date;
  /** Oldest first: the value and the target after each event. */
  readonly points: readonly HistoryPoint[];
  readonly checkIns: readonly HistoryCheckIn[];
  readonly markers: readonly ChartMarker[];
}

const WIDTH = 960;
const HEIGHT = 440;
const M = { top: 48, right: 200, bottom: 48, left: 64 };

/** Value and target as step lines; check-ins coloured by confidence, shaped by source. */
export function renderKeyResultHistory(data: KeyResultHistoryData): string {
  const x = linear([data.from.getTime(), data.to.getTime()], [M.left, WIDTH - M.right]);
  const xOf = (d: Date) => x(d.getTime());
  const values = data.points.flatMap((p) => [p.value, p.target]);
  const lo = Math.min(...values, 0);
  const hi = Math.max(...values, 1);
  const pad = (hi - lo) * 0.08;
  const y = linear([lo - (lo < 0 ? pad : 0), hi + pad], [HEIGHT - M.bottom, M.top]);
  const unit = data.keyResult.unit ? ` ${data.keyResult.unit}` : '';

  // A step line: each value holds until the next event, the last one until the window's end.
  const step = (pick: (p: HistoryPoint) => number) => {
    const list: (readonly [number, number])[] = [];
    data.points.forEach((p, i) => {
      if (i > 0) list.push([xOf(p.at), list[list.length - 1]?.[1] ?? y(pick(p))]);
      list.push([xOf(p.at), y(pick(p))]);
    });
    const last = list.at(-1);
    if (last) list.push([Math.max(last[0], xOf(data.to)), last[1]]);
    return points(list);
  };

  const checkIns = data.checkIns.map((c) => {
    const cx = xOf(c.at);
    const cy = y(c.value);
    const fill = confidenceColour(c.confidence);
    const confidence = c.confidence === null ? 'no confidence' : `confidence ${c.confidence}`;
    const shape =
      SOURCE_SHAPES[c.source] === 'circle'
        ? el('circle', { cx, cy, r: 5.5, fill, stroke: '#111827', 'stroke-width': 1 })
        : el('rect', {
            x: cx - 5,
            y: cy - 5,
            width: 10,
            height: 10,
            fill,
            stroke: '#111827',
            'stroke-width': 1,
          });
    return el(
      'g',
      {
        class: 'check-in',
        'data-source': c.source,
        'data-confidence': c.confidence === null ? 'none' : c.confidence,
        'data-at': c.at.toISOString(),
      },
      title(
        `${shortDay(c.at)}: ${c.value}${unit}, ${confidence}, ${c.source.toLowerCase()} by ${c.actorId}`,
      ),
      shape,
    );
  });

  const markers = data.markers.map((m) => {
    const mx = xOf(m.at);
    return el(
      'g',
      { class: 'marker', 'data-kind': m.kind, 'data-at': m.at.toISOString() },
      title(`Redefined on ${shortDay(m.at)} by ${m.actorId}: ${m.reason ?? 'no reason given'}`),
      changeMarkerGlyph(mx, M.top, HEIGHT - M.bottom),
    );
  });

  const ticks: string[] = [];
  for (let t = data.from.getTime(); t <= data.to.getTime(); t += 14 * DAY_MS) {
    const at = new Date(t);
    ticks.push(
      el(
        'text',
        { x: xOf(at), y: HEIGHT - M.bottom + 18, 'text-anchor': 'middle', fill: '#374151' },
        text(shortDay(at)),
      ),
    );
  }
  for (let i = 0; i <= 4; i++) {
    const v = lo + ((hi - lo) * i) / 4;
    ticks.push(
      el('line', { x1: M.left, x2: WIDTH - M.right, y1: y(v), y2: y(v), stroke: '#e5e7eb' }),
      el(
        'text',
        { x: M.left - 8, y: y(v) + 4, 'text-anchor': 'end', fill: '#374151' },
        text(String(Math.round(v * 100) / 100)),
      ),
    );
  }

  const lx = WIDTH - M.right + 16;
  return svgDocument(
    WIDTH,
    HEIGHT,
    `History of ${data.keyResult.title}`,
    el(
      'text',
      { x: M.left, y: 24, 'font-size': 16, 'font-weight': 600 },
      text(data.keyResult.title),
    ),
    el('g', { class: 'axes' }, ...ticks),
    data.keyResult.unit
      ? el(
          'text',
          { x: M.left - 8, y: M.top - 14, 'text-anchor': 'end', fill: '#374151' },
          text(data.keyResult.unit),
        )
      : '',
    el(
      'g',
      {
        class: 'series',
        'data-series': 'target',
        'data-values': data.points.map((p) => p.target).join(','),
      },
      title('Target (changes at redefinitions)'),
      el('polyline', {
        points: step((p) => p.target),
        fill: 'none',
        stroke: '#7c3aed',
        'stroke-width': 2,
        'stroke-dasharray': '8 4',
      }),
    ),
    el(
      'g',
      {
        class: 'series',
        'data-series': 'value',
        'data-values': data.points.map((p) => p.value).join(','),
      },
      title('Current value'),
      el('polyline', {
        points: step((p) => p.value),
        fill: 'none',
        stroke: '#1f2937',
        'stroke-width': 2,
      }),
    ),
    ...markers,
    ...checkIns,
    el(
      'g',
      { class: 'legend' },
      el('line', {
        x1: lx,
        x2: lx + 18,
        y1: M.top,
        y2: M.top,
        stroke: '#1f2937',
        'stroke-width': 2,
      }),
      el('text', { x: lx + 24, y: M.top + 4 }, text('value')),
      el('line', {
        x1: lx,
        x2: lx + 18,
        y1: M.top + 20,
        y2: M.top + 20,
        stroke: '#7c3aed',
        'stroke-dasharray': '8 4',
      }),
      el('text', { x: lx + 24, y: M.top + 24 }, text('target')),
      el('circle', { cx: lx + 9, cy: M.top + 40, r: 5, fill: '#9ca3af', stroke: '#111827' }),
      el('text', { x: lx + 24, y: M.top + 44 }, text('manual check-in')),
      el('rect', {
        x: lx + 4,
        y: M.top + 55,
        width: 10,
        height: 10,
        fill: '#9ca3af',
        stroke: '#111827',
      }),
      el('text', { x: lx + 24, y: M.top + 64 }, text('integration')),
      el('text', { x: lx, y: M.top + 88 }, text('colour: confidence')),
      el('circle', { cx: lx + 6, cy: M.top + 102, r: 5, fill: confidenceColour(0) }),
      el('text', { x: lx + 16, y: M.top + 106 }, text('0')),
      el('circle', { cx: lx + 46, cy: M.top + 102, r: 5, fill: confidenceColour(0.5) }),
      el('text', { x: lx + 56, y: M.top + 106 }, text('0.5')),
      el('circle', { cx: lx + 90, cy: M.top + 102, r: 5, fill: confidenceColour(1) }),
      el('text', { x: lx + 100, y: M.top + 106 }, text('1')),
    ),
  );
}
