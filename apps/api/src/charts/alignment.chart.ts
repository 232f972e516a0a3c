import type { Health } from '@okr-ledger/okr';
import { HEALTH_COLOURS, shortDay } from './chart-style';
import { el, shorten, svgDocument, text, title } from './svg.builder';

export interface AlignmentChartNode {
  readonly objectiveId: string;
  readonly parentId: string | null;
  readonly depth: number;
  readonly title: string;
  readonly progress: number;
  readonly health: Health;
}

export interface AlignmentChartData {
  readonly cycle: { readonly id: string; readonly name: string };
  readonly asOf: Date;
  /** Pre-order, roots first: the order of `alignmentTree`. */
  readonly nodes: readonly AlignmentChartNode[];
}

const ROW = 44;
const INDENT = 36;
const BOX_W = 420;
const BOX_H = 32;
const LEFT = 24;
const TOP = 56;
const WIDTH = 760;

/** The tree as an indented outline: each node a box coloured by its health as of the instant. */
export function renderAlignment(data: AlignmentChartData): string {
  const rowOf = new Map(data.nodes.map((n, i) => [n.objectiveId, i]));
  const boxX = (n: AlignmentChartNode) => LEFT + n.depth * INDENT;
  const links = data.nodes.flatMap((n, i) => {
    const parentRow = n.parentId === null ? undefined : rowOf.get(n.parentId);
    const parent = parentRow === undefined ? undefined : data.nodes[parentRow];
    if (parentRow === undefined || parent === undefined) return [];
    const px = boxX(parent) + 14;
    const py = TOP + parentRow * ROW + BOX_H;
    const cy = TOP + i * ROW + BOX_H / 2;
    return [
      el('path', {
        class: 'link',
        'data-from': parent.objectiveId,
        'data-to': n.objectiveId,
        d: `M${px},${py} V${cy} H${boxX(n)}`,
        fill: 'none',
        stroke: '#9ca3af',
        'stroke-width': 1.5,
      }),
    ];
  });
  const nodes = data.nodes.map((n, i) => {
    const x = boxX(n);
    const y = TOP + i * ROW;
    const colour = HEALTH_COLOURS[n.health];
    const percent = `${Math.round(n.progress * 100)}%`;
    return el(
      'g',
      {
        class: 'node',
        'data-objective-id': n.objectiveId,
        'data-health': n.health,
        'data-progress': String(n.progress),
        'data-depth': n.depth,
      },
      title(`${n.title}: ${percent}, ${n.health.replace('_', ' ').toLowerCase()}`),
      el('rect', {
        x,
        y,
        width: BOX_W,
        height: BOX_H,
        rx: 6,
        fill: '#ffffff',
        stroke: colour,
        'stroke-width': 2,
      }),
      el('rect', { x, y, width: 8, height: BOX_H, rx: 3, fill: colour }),
      el('text', { x: x + 16, y: y + 20, fill: '#111827' }, text(shorten(n.title, 52))),
      el(
        'text',
        { x: x + BOX_W + 10, y: y + 20, fill: colour, 'font-weight': 600 },
        text(`${percent} ${n.health.replace('_', ' ')}`),
      ),
    );
  });
  const height = TOP + Math.max(1, data.nodes.length) * ROW + 16;
  return svgDocument(
    WIDTH,
    height,
    `Alignment of ${data.cycle.name} as of ${data.asOf.toISOString()}`,
    el(
      'text',
      { x: LEFT, y: 28, 'font-size': 16, 'font-weight': 600 },
      text(
        `${data.cycle.name}: alignment as of ${shortDay(data.asOf)} ${data.asOf.getUTCFullYear()}`,
      ),
    ),
    data.nodes.length === 0
      ? el(
          'text',
          { x: LEFT, y: TOP + 20, fill: '#6b7280' },
          text('No objectives at that instant.'),
        )
      : '',
    el('g', { class: 'links' }, ...links),
    el('g', { class: 'nodes' }, ...nodes),
  );
}
