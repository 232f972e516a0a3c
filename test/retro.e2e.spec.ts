import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import request from 'supertest';
import { startTestApp, type TestApp } from '@okr-ledger/testing';
import type { DemoSummary } from '../apps/api/src/demo/demo-quarter.loader';
import { bearer } from './support/auth-tokens';
import { demoId, DEMO_TENANT, loadDemoInto } from './support/demo-quarter';
import { browserSuite, openPage, type Page } from './support/headless-chromium';

const { chromium, describeInBrowser, browserTitle } = browserSuite('retro.e2e');
/** Where the screenshot goes (git-ignored); TEST_OUTPUT_DIR moves it. */
const OUTPUT = join(process.env.TEST_OUTPUT_DIR ?? join(__dirname, 'output'), 'retro');

describe('Retrospective page', () => {
  let app: TestApp;
  let demo: DemoSummary;

  beforeAll(async () => {
    app = await startTestApp();
    demo = await loadDemoInto(app);
  }, 180_000);
  afterAll(async () => {
    await app.close();
  });

  const devToken = (body: unknown) =>
    request(app.url)
      .post('/retro/development-token')
      .send(body as object);
  const graphql = async <T>(token: string, query: string, variables: Record<string, unknown>) => {
    const response = await request(app.url)
      .post('/graphql')
      .set(bearer(token))
      .send({ query, variables })
      .expect(200);
    expect(response.body.errors).toBeUndefined();
    return response.body.data as T;
  };

  describe('when a browser asks for /retro/:cycleId', () => {
    it('serves a page that loads only files from this server', async () => {
      const response = await request(app.url).get(`/retro/${demo.cycleId}`).expect(200);
      expect(response.headers['content-type']).toBe('text/html; charset=utf-8');
      expect(response.headers['content-security-policy']).toContain("script-src 'self'");
      expect(response.text).not.toMatch(/(src|href)="(https?:)?\/\//);
      const assets = [...response.text.matchAll(/(?:src|href)="(\/retro\/assets\/[^"]+)"/g)].map(
        (m) => m[1]!,
      );
      expect(assets.sort()).toEqual(['/retro/assets/retro.css', '/retro/assets/retro.js']);
      for (const asset of assets) await request(app.url).get(asset).expect(200);
      await request(app.url).get('/retro/assets/package.json').expect(404);
    });
  });

  describe('when signing in for development', () => {
    it('signs a token for the organisation and role that reads that organisation', async () => {
      const response = await devToken({ org: DEMO_TENANT, role: 'AUDITOR' }).expect(200);
      const data = await graphql<{ cycle: { name: string } | null }>(
        response.body.token as string,
        'query ($id: ID!) { cycle(id: $id) { name } }',
        { id: demo.cycleId },
      );
      expect(data.cycle?.name).toBe(demo.quarter.name);
    });

    it('refuses an unknown role or a missing organisation with the fields named', async () => {
      const response = await devToken({ org: '', role: 'OWNER' }).expect(400);
      expect(response.body.errors[0].extensions).toMatchObject({
        code: 'BAD_USER_INPUT',
        fieldErrors: [
          expect.objectContaining({ path: 'org' }),
          expect.objectContaining({ path: 'role' }),
        ],
      });
    });
  });

  describeInBrowser(browserTitle, () => {
    let page: Page;
    let token: string;
    const objectiveId = (key: string) => demoId(`${demo.quarter.name}:objective:${key}`);

    beforeAll(async () => {
      token = (await devToken({ org: DEMO_TENANT, role: 'AUDITOR' })).body.token as string;
      page = await openPage(chromium!, `${app.url}/retro/${demo.cycleId}`);
      await page.send('Emulation.setDeviceMetricsOverride', {
        width: 1100,
        height: 900,
        deviceScaleFactor: 1,
        mobile: false,
      });
      await page.waitFor(`document.body && !document.querySelector('#dev-sign-in').hidden`);
      // Signs in through the page's own development form, as a person would.
      await page.evaluate(`(() => {
        const form = document.querySelector('#dev-sign-in');
        form.querySelector('[name=org]').value = ${JSON.stringify(DEMO_TENANT)};
        form.querySelector('[name=role]').value = 'AUDITOR';
        form.requestSubmit();
      })()`);
      const state = await page.waitFor<string>(
        `['ready', 'error'].includes(document.body.dataset.state) && document.body.dataset.state`,
        60_000,
      );
      if (state !== 'ready') {
        throw new Error(
          `the page failed: ${await page.evaluate<string>(`document.querySelector('#status').textContent`)}`,
        );
      }
    }, 120_000);
    afterAll(async () => {
      await page?.close();
    });

    const moveSliderTo = async (index: number) => {
      await page.evaluate(`(() => {
        const slider = document.querySelector('#day');
        slider.value = '${index}';
        slider.dispatchEvent(new Event('input', { bubbles: true }));
      })()`);
      await page.waitFor(`document.querySelector('#alignment').dataset.index === '${index}'`);
      return page.evaluate<{
        at: string;
        nodes: { id: string; health: string; depth: string }[];
      }>(`({
        at: document.querySelector('#alignment').dataset.asOf,
        nodes: [...document.querySelectorAll('#alignment g.node')].map((n) => ({
          id: n.dataset.objectiveId, health: n.dataset.health, depth: n.dataset.depth })),
      })`);
    };
    const treeAsOf = (at: string) =>
      graphql<{ alignmentTree: { objective: { id: string; health: string } }[] }>(
        token,
        'query ($id: ID!, $at: DateTime) { alignmentTree(cycleId: $id, asOf: $at) { objective { id health } } }',
        { id: demo.cycleId, at },
      );

    it('draws the burn-up with both redefinition markers and their reasons', async () => {
      const titles = await page.evaluate<string[]>(
        `[...document.querySelectorAll('#burn-up g.marker[data-kind=redefinition] > title')].map((t) => t.textContent)`,
      );
      expect(titles).toHaveLength(2);
      expect(titles[0]).toContain('the habit we need is pitching them');
      const series = await page.evaluate<number>(
        `document.querySelectorAll('#burn-up g.series[data-series=objective]').length`,
      );
      expect(series).toBe(7);
    });

    it('steps the slider through the daily frames and redraws the tree as of each day', async () => {
      const frames = await page.evaluate<number>(`Number(document.querySelector('#day').max) + 1`);
      expect(frames).toBeGreaterThanOrEqual(90);
      const id = objectiveId('machine-recommendations');

      const first = await moveSliderTo(0);
      expect(first.at).toBe(demo.quarter.startsAt.toISOString());
      expect(first.nodes.find((n) => n.id === id)?.depth).toBe('0');
      expect(first.nodes).toHaveLength((await treeAsOf(first.at)).alignmentTree.length);

      const last = await moveSliderTo(frames - 1);
      expect(last.nodes.find((n) => n.id === id)?.depth).toBe('1');

      // Six weeks in: the number of nodes and one objective's health as GraphQL answers them then.
      const mid = await moveSliderTo(42);
      expect(mid.at).toBe(
        new Date(demo.quarter.startsAt.getTime() + 42 * 86_400_000).toISOString(),
      );
      const expected = (await treeAsOf(mid.at)).alignmentTree;
      expect(mid.nodes.length).toBeGreaterThan(3);
      expect(mid.nodes).toHaveLength(expected.length);
      const insideSales = objectiveId('inside-sales');
      const health = expected.find((n) => n.objective.id === insideSales)?.objective.health;
      expect(health).toMatch(/^(ON_TRACK|AT_RISK|OFF_TRACK|DONE|NOT_STARTED)$/);
      expect(mid.nodes.find((n) => n.id === insideSales)?.health).toBe(health);
      expect(mid.nodes.map((n) => n.health)).toEqual(expected.map((n) => n.objective.health));
    });

    it('lists the mid-quarter changes with who and why, and the final scores against 0.7', async () => {
      const changes = await page.evaluate<string[]>(
        `[...document.querySelectorAll('#changes tr.change')].map((r) => r.innerText)`,
      );
      // Changes to the definitions only: the quarter's check-ins are not listed as changes.
      const types = await page.evaluate<string[]>(
        `[...document.querySelectorAll('#changes tr.change')].map((r) => r.dataset.eventType)`,
      );
      expect(types.filter((t) => t === 'KeyResultRedefined')).toHaveLength(2);
      expect(types).not.toContain('KeyResultCheckedIn');
      expect(changes.length).toBeGreaterThanOrEqual(2);
      expect(
        changes.some((c) => c.includes('eva') && c.includes('the habit we need is pitching them')),
      ).toBe(true);
      const scores = await page.evaluate<{ good: string; score: string }[]>(
        `[...document.querySelectorAll('#scores li')].map((li) => ({ good: li.dataset.good, score: li.querySelector('.score').textContent }))`,
      );
      expect(scores).toHaveLength(7);
      for (const s of scores) expect(s.good).toBe(String(Number(s.score) >= 0.7));
      expect(scores.some((s) => s.good === 'true')).toBe(true);
    });

    it('loads nothing from elsewhere, and leaves a screenshot in the test output', async () => {
      const foreign = await page.evaluate<string[]>(
        `performance.getEntriesByType('resource').map((e) => e.name).filter((n) => !n.startsWith(location.origin))`,
      );
      expect(foreign).toEqual([]);
      await moveSliderTo(42);
      const height = await page.evaluate<number>(
        `Math.ceil(document.documentElement.scrollHeight)`,
      );
      const shot = await page.send<{ data: string }>('Page.captureScreenshot', {
        format: 'png',
        captureBeyondViewport: true,
        clip: { x: 0, y: 0, width: 1100, height, scale: 1 },
      });
      const png = Buffer.from(shot.data, 'base64');
      expect(png.subarray(1, 4).toString()).toBe('PNG');
      await mkdir(OUTPUT, { recursive: true });
      await writeFile(join(OUTPUT, 'retro-demo-quarter.png'), png);
    });
  });
});
