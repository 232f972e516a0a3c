import { byClass, findAll, parseSvg, titleOf } from '../../../../test/support/svg-document';
import { renderAlignment } from './alignment.chart';
import { renderBurnUp, type BurnUpData } from './burn-up.chart';
import { renderKeyResultHistory } from './key-result-history.chart';

const start = new Date('2026-01-01T00:00:00Z');
const end = new Date('2026-03-31T23:59:59Z');
const day = (n: number) => new Date(start.getTime() + n * 86_400_000);
const HOSTILE = '</title><script>alert("x")</script> & \'quotes\'';

const burnUp = (over: Partial<BurnUpData> = {}): BurnUpData => ({
  cycle: { id: 'c', name: `Q1 ${HOSTILE}`, startsAt: start, endsAt: end, closedAt: null },
  frames: [0, 7, 14].map((n) => ({
    at: day(n),
    progress: n / 90,
    objectives: [
      { objectiveId: 'o1', title: HOSTILE, progress: n / 90, health: 'ON_TRACK', keyResults: [] },
    ],
  })),
  expected: [0, 14, 90].map((n) => ({
    at: day(n),
    expected: n / 90,
    onTrackFrom: (0.7 * n) / 90,
    atRiskFrom: (0.4 * n) / 90,
  })),
  markers: [
    {
      at: day(10),
      kind: 'redefinition',
      aggregateId: 'k1',
      subject: 'Activation',
      reason: HOSTILE,
      actorId: 'ana',
    },
  ],
  ...over,
});

describe('renderBurnUp', () => {
  describe('when titles and reasons hold markup', () => {
    it('escapes them: the SVG stays well-formed and the text reads as typed', () => {
      const svg = parseSvg(renderBurnUp(burnUp()));
      expect(findAll(svg, (e) => e.name === 'script')).toHaveLength(0);
      const [marker] = findAll(svg, byClass('marker', { 'data-kind': 'redefinition' }));
      expect(titleOf(marker!)).toContain(HOSTILE);
      const [series] = findAll(svg, byClass('series', { 'data-objective-id': 'o1' }));
      expect(titleOf(series!)).toContain(HOSTILE);
    });
  });

  describe('when the cycle is not closed', () => {
    it('draws no close marker', () => {
      const svg = parseSvg(renderBurnUp(burnUp()));
      expect(findAll(svg, byClass('marker', { 'data-kind': 'close' }))).toHaveLength(0);
    });
  });

  describe('when the cycle is closed', () => {
    it('draws the close where it happened', () => {
      const svg = parseSvg(renderBurnUp(burnUp({ cycle: { ...burnUp().cycle, closedAt: end } })));
      const [close] = findAll(svg, byClass('marker', { 'data-kind': 'close' }));
      expect(close?.attributes['data-at']).toBe(end.toISOString());
    });
  });
});

describe('renderKeyResultHistory', () => {
  describe('when there are no points yet', () => {
    it('still draws a well-formed chart with empty series', () => {
      const svg = parseSvg(
        renderKeyResultHistory({
          keyResult: { id: 'k', title: 'New', unit: null },
          from: start,
          to: end,
          points: [],
          checkIns: [],
          markers: [],
        }),
      );
      expect(findAll(svg, byClass('series'))).toHaveLength(2);
      expect(findAll(svg, byClass('check-in'))).toHaveLength(0);
    });
  });
});

describe('renderAlignment', () => {
  describe('when a child follows its parent', () => {
    it('links them and colours each node by its health', () => {
      const svg = parseSvg(
        renderAlignment({
          cycle: { id: 'c', name: 'Q1' },
          asOf: day(20),
          nodes: [
            {
              objectiveId: 'a',
              parentId: null,
              depth: 0,
              title: 'A',
              progress: 0.5,
              health: 'ON_TRACK',
            },
            {
              objectiveId: 'b',
              parentId: 'a',
              depth: 1,
              title: 'B',
              progress: 0.1,
              health: 'OFF_TRACK',
            },
          ],
        }),
      );
      expect(findAll(svg, byClass('node')).map((n) => n.attributes['data-health'])).toEqual([
        'ON_TRACK',
        'OFF_TRACK',
      ]);
      const [link] = findAll(svg, byClass('link'));
      expect([link?.attributes['data-from'], link?.attributes['data-to']]).toEqual(['a', 'b']);
    });
  });
});
