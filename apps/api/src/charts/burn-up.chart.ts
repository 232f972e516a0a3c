import type { CycleFrame } from '@okr-ledger/read-models';
import {
  BAND_COLOURS,
  changeMarkerGlyph,
  DAY_MS,
  HEALTH_COLOURS,
  seriesColour,
  shortDay,
} from './chart-style';
import { el, linear, points, shorten, svgDocument, text, title } from './svg.builder';

/** A change drawn on the burn-up where it happened. */
export interface ChartMarker {
  readonly at: Date;
  readonly kind: 'redefinition' | 'revision';
  readonly aggregateId: string;
  /** What changed, e.g. the key result's title. */
  readonly subject: string;
  readonly reason: string | null;
  readonly actorId: string;
}

/** The health bands' lower edges at an instant (progress values), from libs/okr's ratios. */
export interface BandEdges {
  readonly at: Date;
  readonly expected: number;
  readonly onTrackFrom: number;
  readonly atRiskFrom: number;
}

export interface BurnUpData {
  readonly cycle: {
    readonly id: string;
    readonly name: string;
    readonly startsAt: Date;
    readonly endsAt: Date;
    readonly closedAt: Date | null;
  };
  readonly frames: readonly CycleFrame[];
  readonly expected: readonly BandEdges[];
  readonly markers: readonly ChartMarker[];
}

const WIDTH = 960;
const HEIGHT = 520;
const M = { top: 48, right: 260, bottom: 48, left: 56 };

/** Each objective's progress over the cycle against the expected line, bands and changes. */
export function renderBurnUp(data: BurnUpData): string {
  const { cycle } = data;
  const x = linear([cycle.startsAt.getTime(), cycle.endsAt.getTime()], [M.left, WIDTH - M.right]);
  const top = Math.max(1, ...data.frames.flatMap((f) => f.objectives.map((o) => o.progress)));
  const y = linear([0, top], [HEIGHT - M.bottom, M.top]);
  const xOf = (d: Date) => x(d.getTime());

  const edge = (pick: (b: BandEdges) => number) =>
    data.expected.map((b) => [xOf(b.at), y(pick(b))] as const);
  const band = (
    health: keyof typeof BAND_COLOURS,
    upper: (b: BandEdges) => number,
    lower: (b: BandEdges) => number,
  ) =>
    el('polygon', {
      class: 'band',
      'data-health': health,
      fill: BAND_COLOURS[health],
      points: points([...edge(upper), ...edge(lower).reverse()]),
    });
  const bands = el(
    'g',
    { class: 'health-bands' },
    band(
      'ON_TRACK',
      () => top,
      (b) => b.onTrackFrom,
    ),
    band(
      'AT_RISK',
      (b) => b.onTrackFrom,
      (b) => b.atRiskFrom,
    ),
    band(
      'OFF_TRACK',
      (b) => b.atRiskFrom,
      () => 0,
    ),
  );

  const objectives = data.frames.at(-1)?.objectives ?? [];
  const series = objectives.map((objective, index) => {
    const colour = seriesColour(index);
    const line = data.frames.flatMap((f) => {
      const o = f.objectives.find((p) => p.objectiveId === objective.objectiveId);
      return o ? [[xOf(f.at), y(o.progress)] as const] : [];
    });
    const last = line.at(-1);
    return el(
      'g',
      {
        class: 'series',
        'data-series': 'objective',
        'data-objective-id': objective.objectiveId,
        'data-final-progress': String(objective.progress),
        'data-final-health': objective.health,
      },
      title(`${objective.title}: ${Math.round(objective.progress * 100)}% (${objective.health})`),
      el('polyline', { points: points(line), fill: 'none', stroke: colour, 'stroke-width': 2.5 }),
      last
        ? el('circle', {
            cx: last[0],
            cy: last[1],
            r: 4,
            fill: HEALTH_COLOURS[objective.health],
            stroke: colour,
          })
        : '',
    );
  });

  const expected = el(
    'g',
    { class: 'series', 'data-series': 'expected' },
    title('Expected progress: 0 at the start, 100% at the end'),
    el('polyline', {
      points: points(edge((b) => b.expected)),
      fill: 'none',
      stroke: '#374151',
      'stroke-width': 1.5,
      'stroke-dasharray': '6 4',
    }),
  );

  const markers = data.markers.map((m) => {
    const mx = xOf(m.at);
    const what = m.kind === 'redefinition' ? 'Redefined' : 'Revised';
    return el(
      'g',
      {
        class: 'marker',
        'data-kind': m.kind,
        'data-aggregate-id': m.aggregateId,
        'data-at': m.at.toISOString(),
      },
      title(
        `${what} "${m.subject}" on ${shortDay(m.at)} by ${m.actorId}: ${m.reason ?? 'no reason given'}`,
      ),
      changeMarkerGlyph(mx, M.top, HEIGHT - M.bottom, 1.5),
    );
  });
  if (cycle.closedAt) {
    const cx = Math.min(xOf(cycle.closedAt), WIDTH - M.right);
    markers.push(
      el(
        'g',
        { class: 'marker', 'data-kind': 'close', 'data-at': cycle.closedAt.toISOString() },
        title(`Cycle closed on ${shortDay(cycle.closedAt)}: scores frozen`),
        el('line', {
          x1: cx,
          x2: cx,
          y1: M.top,
          y2: HEIGHT - M.bottom,
          stroke: '#111827',
          'stroke-width': 2,
        }),
        el(
          'text',
          { x: cx - 4, y: M.top - 4, 'text-anchor': 'end', fill: '#111827' },
          text('closed'),
        ),
      ),
    );
  }

  return svgDocument(
    WIDTH,
    HEIGHT,
    `Burn-up of ${cycle.name}`,
    el(
      'text',
      { x: M.left, y: 24, 'font-size': 16, 'font-weight': 600 },
      text(`${cycle.name}: progress by objective`),
    ),
    bands,
    axes(cycle.startsAt, cycle.endsAt, xOf, y, top),
    expected,
    ...series,
    ...markers,
    legend(objectives.map((o, i) => ({ label: o.title, colour: seriesColour(i) }))),
  );
}

function axes(
  start: Date,
  end: Date,
  xOf: (d: Date) => number,
  y: (v: number) => number,
  top: number,
): string {
  const ticks: string[] = [];
  for (let t = start.getTime(); t <= end.getTime(); t += 14 * DAY_MS) {
    const at = new Date(t);
    ticks.push(
      el('line', {
        x1: xOf(at),
        x2: xOf(at),
        y1: HEIGHT - M.bottom,
        y2: HEIGHT - M.bottom + 5,
        stroke: '#6b7280',
      }),
      el(
        'text',
        { x: xOf(at), y: HEIGHT - M.bottom + 18, 'text-anchor': 'middle', fill: '#374151' },
        text(shortDay(at)),
      ),
    );
  }
  for (let v = 0; v <= top + 1e-9; v += 0.25) {
    ticks.push(
      el('line', { x1: M.left, x2: WIDTH - M.right, y1: y(v), y2: y(v), stroke: '#e5e7eb' }),
      el(
        'text',
        { x: M.left - 8, y: y(v) + 4, 'text-anchor': 'end', fill: '#374151' },
        text(`${Math.round(v * 100)}%`),
      ),
    );
  }
  return el(
    'g',
    { class: 'axes' },
    ...ticks,
    el('line', {
      x1: M.left,
      x2: WIDTH - M.right,
      y1: HEIGHT - M.bottom,
      y2: HEIGHT - M.bottom,
      stroke: '#6b7280',
    }),
    el('line', { x1: M.left, x2: M.left, y1: M.top, y2: HEIGHT - M.bottom, stroke: '#6b7280' }),
  );
}

function legend(entries: readonly { label: string; colour: string }[]): string {
  const lx = WIDTH - M.right + 16;
  const rows = entries.map((e, i) =>
    el(
      'g',
      {},
      el('rect', { x: lx, y: M.top + i * 22, width: 14, height: 4, fill: e.colour }),
      el(
        'text',
        { x: lx + 20, y: M.top + i * 22 + 6, fill: '#111827' },
        text(shorten(e.label, 32)),
      ),
    ),
  );
  const after = M.top + entries.length * 22 + 8;
  return el(
    'g',
    { class: 'legend' },
    ...rows,
    el('line', {
      x1: lx,
      x2: lx + 14,
      y1: after,
      y2: after,
      stroke: '#374151',
      'stroke-dasharray': '6 4',
    }),
    el('text', { x: lx + 20, y: after + 4 }, text('expected')),
    el('path', { d: `M${lx + 7},${after + 12} l6,7 l-6,7 l-6,-7 z`, fill: '#7c3aed' }),
    el('text', { x: lx + 20, y: after + 23 }, text('redefinition (hover for why)')),
    ...(['ON_TRACK', 'AT_RISK', 'OFF_TRACK'] as const).map((h, i) =>
      el(
        'g',
        {},
        el('rect', { x: lx, y: after + 34 + i * 18, width: 14, height: 12, fill: BAND_COLOURS[h] }),
        el('text', { x: lx + 20, y: after + 44 + i * 18 }, text(h.replace('_', ' ').toLowerCase())),
      ),
    ),
  );
}
