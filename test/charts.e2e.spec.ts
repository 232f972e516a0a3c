import request from 'supertest';
import { startTestApp, type TestApp } from '@okr-ledger/testing';
import type { DemoSummary } from '../apps/api/src/demo/demo-quarter.loader';
import { bearer, tokenFor } from './support/auth-tokens';
import { demoId, DEMO_TENANT, loadDemoInto } from './support/demo-quarter';
import { byClass, findAll, parseSvg, titleOf, type SvgElement } from './support/svg-document';

const DAY_MS = 24 * 60 * 60 * 1000;

describe('Charts', () => {
  let app: TestApp;
  let demo: DemoSummary;
  let auditor: Record<string, string>;
  const weekOf = (week: number) =>
    new Date(demo.quarter.startsAt.getTime() + 7 * week * DAY_MS - 1000);
  const objectiveId = (key: string) => demoId(`${demo.quarter.name}:objective:${key}`);
  const keyResultId = (key: string) => demoId(`${demo.quarter.name}:key-result:${key}`);

  beforeAll(async () => {
    app = await startTestApp();
    demo = await loadDemoInto(app);
    auditor = bearer(await tokenFor(['AUDITOR'], { org: DEMO_TENANT }));
  }, 180_000);
  afterAll(async () => {
    await app.close();
  });

  const svgAt = async (path: string): Promise<{ svg: SvgElement; etag: string }> => {
    const response = await request(app.url).get(path).set(auditor).buffer(true).parse(text);
    expect(response.status).toBe(200);
    expect(response.headers['content-type']).toBe('image/svg+xml; charset=utf-8');
    return { svg: parseSvg(response.body as string), etag: String(response.headers.etag) };
  };
  const graphql = async <T>(query: string, variables: Record<string, unknown>): Promise<T> => {
    const response = await request(app.url)
      .post('/graphql')
      .set(auditor)
      .send({ query, variables })
      .expect(200);
    expect(response.body.errors).toBeUndefined();
    return response.body.data as T;
  };

  describe('when the burn-up of the demo quarter is drawn', () => {
    let svg: SvgElement;
    beforeAll(async () => {
      ({ svg } = await svgAt(`/charts/cycles/${demo.cycleId}/burn-up.svg`));
    });

    it('has one series per objective, named, ending at the replay’s final scores', async () => {
      const series = findAll(svg, byClass('series', { 'data-series': 'objective' }));
      const { cycleReplay } = await graphql<{
        cycleReplay: { objectives: { objectiveId: string; title: string; progress: number }[] }[];
      }>(
        'query ($id: ID!) { cycleReplay(cycleId: $id, every: WEEK) { objectives { objectiveId title progress } } }',
        {
          id: demo.cycleId,
        },
      );
      const last = cycleReplay.at(-1)!.objectives;
      expect(series).toHaveLength(7);
      expect(series.map((s) => s.attributes['data-objective-id'])).toEqual(
        last.map((o) => o.objectiveId),
      );
      for (const [i, s] of series.entries()) {
        expect(titleOf(s)).toContain(last[i]!.title);
        expect(Number(s.attributes['data-final-progress'])).toBeCloseTo(last[i]!.progress, 6);
        // One point per day of the quarter.
        const line = s.children.find((c) => c.name === 'polyline')!;
        expect(line.attributes.points!.split(' ').length).toBeGreaterThanOrEqual(90);
      }
    });

    it('draws the expected line and the three health bands', () => {
      expect(findAll(svg, byClass('series', { 'data-series': 'expected' }))).toHaveLength(1);
      const bands = findAll(svg, byClass('band')).map((b) => b.attributes['data-health']);
      expect(bands).toEqual(['ON_TRACK', 'AT_RISK', 'OFF_TRACK']);
    });

    it('marks both redefinitions where they happened, with their reasons, and the close', () => {
      const marks = findAll(svg, byClass('marker', { 'data-kind': 'redefinition' }));
      expect(marks).toHaveLength(2);
      expect(marks.map((m) => m.attributes['data-aggregate-id'])).toEqual([
        keyResultId('recommendation-rate'),
        keyResultId('recommendation-rate'),
      ]);
      const [first, second] = marks.map((m) => new Date(m.attributes['data-at']!));
      expect(first! > weekOf(3) && first! <= weekOf(4)).toBe(true);
      expect(second! > weekOf(7) && second! <= weekOf(8)).toBe(true);
      expect(titleOf(marks[0]!)).toContain('the habit we need is pitching them');
      expect(titleOf(marks[1]!)).toContain('revenue comes from the recommended deals');
      const close = findAll(svg, byClass('marker', { 'data-kind': 'close' }));
      expect(close).toHaveLength(1);
      expect(close[0]!.attributes['data-at']).toBe(demo.quarter.endsAt.toISOString());
    });
  });

  describe('when a chart is asked for again with its ETag', () => {
    it('answers 304 until the log moves, then the new chart with another ETag', async () => {
      const path = `/charts/cycles/${demo.cycleId}/burn-up.svg`;
      const { etag } = await svgAt(path);
      expect(etag).toMatch(/^"[\w-]+"$/);
      const again = await request(app.url)
        .get(path)
        .set({ ...auditor, 'If-None-Match': etag });
      expect(again.status).toBe(304);
      expect(again.headers.etag).toBe(etag);

      const admin = bearer(await tokenFor(['ADMIN'], { org: DEMO_TENANT }));
      await request(app.url)
        .post('/graphql')
        .set(admin)
        .send({ query: 'mutation { createTeam(input: { name: "Retro guild" }) { id } }' })
        .expect(200);
      const after = await request(app.url)
        .get(path)
        .set({ ...auditor, 'If-None-Match': etag });
      expect(after.status).toBe(200);
      expect(after.headers.etag).not.toBe(etag);
    });

    it('never shares a tag between organisations', async () => {
      const path = `/charts/cycles/${demo.cycleId}/alignment.svg?asOf=${weekOf(2).toISOString()}`;
      const { etag } = await svgAt(path);
      const other = await request(app.url)
        .get(path)
        .set({ ...bearer(await tokenFor(['AUDITOR'], { org: 'acme' })), 'If-None-Match': etag });
      expect(other.status).toBe(404);
    });
  });

  describe('when a key result’s history is drawn', () => {
    it('steps the target at each redefinition and marks them with their reasons', async () => {
      const { svg } = await svgAt(
        `/charts/key-results/${keyResultId('recommendation-rate')}/history.svg`,
      );
      const target = findAll(svg, byClass('series', { 'data-series': 'target' }))[0]!;
      const targets = target.attributes['data-values']!.split(',').map(Number);
      expect(targets.filter((t, i) => t !== targets[i - 1])).toEqual([60, 40, 25]);
      const values = findAll(svg, byClass('series', { 'data-series': 'value' }))[0]!;
      expect(values.attributes['data-values']!.split(',').map(Number)).toContain(33);
      const marks = findAll(svg, byClass('marker', { 'data-kind': 'redefinition' }));
      expect(marks.map((m) => titleOf(m))).toEqual([
        expect.stringContaining('the habit we need is pitching them'),
        expect.stringContaining('revenue comes from the recommended deals'),
      ]);
      const checkIns = findAll(svg, byClass('check-in'));
      expect(checkIns).toHaveLength(13);
      expect(new Set(checkIns.map((c) => c.attributes['data-source']))).toEqual(
        new Set(['MANUAL']),
      );
      expect(
        checkIns.every((c) => /^(0(\.\d+)?|1|none)$/.test(c.attributes['data-confidence']!)),
      ).toBe(true);
    });

    it('tells integration values from manual ones', async () => {
      const { svg } = await svgAt(`/charts/key-results/${keyResultId('upsell')}/history.svg`);
      const checkIns = findAll(svg, byClass('check-in'));
      const manual = checkIns.filter((c) => c.attributes['data-source'] === 'MANUAL');
      const integration = checkIns.filter((c) => c.attributes['data-source'] === 'INTEGRATION');
      // 7 weekly check-ins and ben's override; 26 CRM pushes and its correction after the close.
      expect([manual.length, integration.length]).toEqual([8, 27]);
      expect(new Set(manual.map((c) => c.children[1]?.name))).toEqual(new Set(['circle']));
      expect(new Set(integration.map((c) => c.children[1]?.name))).toEqual(new Set(['rect']));
      expect(titleOf(integration[0]!)).toContain('integration');
    });
  });

  describe('when the alignment tree is drawn as of an instant', () => {
    const tree = async (asOf: Date) =>
      (
        await svgAt(
          `/charts/cycles/${demo.cycleId}/alignment.svg?asOf=${encodeURIComponent(asOf.toISOString())}`,
        )
      ).svg;

    it('shows the tree GraphQL answers for that instant, each node with its health then', async () => {
      const asOf = weekOf(6);
      const nodes = findAll(await tree(asOf), byClass('node'));
      const { alignmentTree } = await graphql<{
        alignmentTree: {
          depth: number;
          objective: { id: string; health: string; title: string };
        }[];
      }>(
        'query ($id: ID!, $at: DateTime) { alignmentTree(cycleId: $id, asOf: $at) { depth objective { id title health } } }',
        {
          id: demo.cycleId,
          at: asOf.toISOString(),
        },
      );
      expect(nodes.length).toBeGreaterThan(3);
      expect(
        nodes.map((n) => [
          n.attributes['data-objective-id'],
          n.attributes['data-depth'],
          n.attributes['data-health'],
        ]),
      ).toEqual(alignmentTree.map((n) => [n.objective.id, String(n.depth), n.objective.health]));
      expect(titleOf(nodes[0]!)).toContain(alignmentTree[0]!.objective.title);
    });

    it('moves an objective under its parent from the day it was aligned', async () => {
      const id = objectiveId('machine-recommendations');
      const depthOn = async (at: Date) =>
        findAll(await tree(at), byClass('node', { 'data-objective-id': id }))[0]?.attributes[
          'data-depth'
        ];
      expect(await depthOn(weekOf(1))).toBe('0');
      expect(await depthOn(weekOf(2))).toBe('1');
    });

    it('draws the tree as of now without asOf', async () => {
      const { svg } = await svgAt(`/charts/cycles/${demo.cycleId}/alignment.svg`);
      const { alignmentTree } = await graphql<{ alignmentTree: { objective: { id: string } }[] }>(
        'query ($id: ID!) { alignmentTree(cycleId: $id) { objective { id } } }',
        { id: demo.cycleId },
      );
      expect(findAll(svg, byClass('node')).map((n) => n.attributes['data-objective-id'])).toEqual(
        alignmentTree.map((n) => n.objective.id),
      );
    });

    it('is empty before the cycle was scheduled', async () => {
      const svg = await tree(new Date(demo.quarter.startsAt.getTime() - 30 * DAY_MS));
      expect(findAll(svg, byClass('node'))).toHaveLength(0);
    });

    it.each(['2026-02-30T00:00:00Z', '2026-01-01', 'yesterday', '2026-01-01T10:00:00'])(
      'refuses asOf=%s as BAD_USER_INPUT naming asOf',
      async (asOf) => {
        const response = await request(app.url)
          .get(`/charts/cycles/${demo.cycleId}/alignment.svg`)
          .query({ asOf })
          .set(auditor)
          .expect(400);
        expect(response.headers['content-type']).toMatch(/^application\/json/);
        expect(response.body.errors[0].extensions).toMatchObject({
          code: 'BAD_USER_INPUT',
          fieldErrors: [expect.objectContaining({ path: 'asOf' })],
        });
      },
    );
  });

  describe('when the caller is not of the organisation or not signed in', () => {
    const paths = () => [
      `/charts/cycles/${demo.cycleId}/burn-up.svg`,
      `/charts/key-results/${keyResultId('upsell')}/history.svg`,
      `/charts/cycles/${demo.cycleId}/alignment.svg?asOf=${weekOf(4).toISOString()}`,
    ];

    it('answers 404 NOT_FOUND to another organisation', async () => {
      const other = bearer(await tokenFor(['ADMIN'], { org: 'acme' }));
      for (const path of paths()) {
        const response = await request(app.url).get(path).set(other).expect(404);
        expect(response.body.errors[0].extensions.code).toBe('NOT_FOUND');
      }
    });

    it('answers 401 UNAUTHENTICATED without a token or with a bad one', async () => {
      for (const path of paths()) {
        const none = await request(app.url).get(path).expect(401);
        expect(none.body.errors[0].extensions.code).toBe('UNAUTHENTICATED');
        await request(app.url).get(path).set('Authorization', 'Bearer not.a.token').expect(401);
        await request(app.url).get(path).set('Authorization', 'Basic abc').expect(401);
      }
    });

    it('answers 404 to an id that is not one', async () => {
      const response = await request(app.url)
        .get('/charts/cycles/nope/burn-up.svg')
        .set(auditor)
        .expect(404);
      expect(response.body.errors[0].extensions.code).toBe('NOT_FOUND');
    });
  });
});

function text(res: request.Response, done: (error: Error | null, body: string) => void): void {
  let body = '';
  res.setEncoding('utf8');
  res.on('data', (chunk: string) => (body += chunk));
  res.on('end', () => done(null, body));
}
