import request from 'supertest';
import { startTestApp, type TestApp } from '@okr-ledger/testing';
import { bearer, tokenFor } from './support/auth-tokens';
import { browserSuite, openPage } from './support/headless-chromium';

const BROWSER_ACCEPT = 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8';
const { chromium, describeInBrowser, browserTitle } = browserSuite('explorer.e2e');

describe('GraphQL explorer', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp();
  });
  afterAll(async () => {
    await app.close();
  });

  describe('when a browser asks for /graphql', () => {
    it('serves an HTML page that loads only files from this server', async () => {
      const response = await request(app.url)
        .get('/graphql')
        .set('Accept', BROWSER_ACCEPT)
        .expect(200);
      expect(response.headers['content-type']).toMatch(/^text\/html/);
      const html = response.text;
      expect(html).toContain('/explorer/assets/graphiql.min.js');
      expect(html).not.toMatch(/(src|href)="(https?:)?\/\//);
      const assets = [...html.matchAll(/(?:src|href)="(\/explorer\/assets\/[^"]+)"/g)].map(
        (m) => m[1]!,
      );
      expect(assets).toHaveLength(5);
      for (const asset of assets) {
        const file = await request(app.url).get(asset).expect(200);
        expect(file.headers['content-type']).toMatch(/^text\/(javascript|css)/);
      }
    });

    it('prefills the header editor with a bearer-token placeholder', async () => {
      const response = await request(app.url)
        .get('/graphql')
        .set('Accept', BROWSER_ACCEPT)
        .expect(200);
      expect(response.text).toMatch(/Bearer (&lt;|&#60;)paste a token from: npm run token/);
    });
  });

  describe('when a GraphQL client sends GET /graphql', () => {
    it('still gets GraphQL, not the page', async () => {
      const response = await request(app.url)
        .get('/graphql')
        .query({ query: '{ serverVersion }' })
        .set({ ...bearer(await tokenFor()), Accept: '*/*' })
        .expect(200);
      expect(response.body).toEqual({ data: { serverVersion: expect.any(String) } });
    });
  });

  describe('when a file outside the explorer is asked for', () => {
    it('answers 404', async () => {
      await request(app.url).get('/explorer/assets/package.json').expect(404);
      await request(app.url).get('/explorer/assets/..%2F..%2Fpackage.json').expect(404);
    });
  });

  describeInBrowser(browserTitle, () => {
    const open = (params: Record<string, string>) =>
      openPage(chromium!, `${app.url}/graphql?${new URLSearchParams(params).toString()}`);
    // Clicks ▶ (again every 1.5 s: a click before GraphiQL is fully set up does nothing)
    // until the response pane shows something, and returns that text.
    const runAndRead = `(() => {
      const shown = document.querySelector('.graphiql-response')?.innerText ?? '';
      if (shown.includes('{')) return shown;
      const button = document.querySelector('.graphiql-execute-button');
      if (button && Date.now() - (window.__lastClick ?? 0) > 1500) {
        window.__lastClick = Date.now();
        button.click();
      }
      return '';
    })()`;

    it('runs a prefilled query with a pasted token and shows the result, all offline', async () => {
      const token = await tokenFor(['AUDITOR']);
      const page = await open({
        query: '{ serverVersion }',
        headers: JSON.stringify(bearer(token)),
      });
      try {
        const text = await page.waitFor<string>(runAndRead);
        expect(text).toMatch(/"serverVersion": "\d+\.\d+\.\d+"/);
        const foreign = await page.evaluate<string[]>(
          `performance.getEntriesByType('resource').map((e) => e.name).filter((n) => !n.startsWith(location.origin))`,
        );
        expect(foreign).toEqual([]);
      } finally {
        await page.close();
      }
    }, 60_000);

    it('loads the schema without a token and never sends the placeholder as a credential', async () => {
      const page = await open({ query: '{ serverVersion }' });
      try {
        const text = await page.waitFor<string>(runAndRead);
        // The generic "no token" message, not the "malformed header" one a placeholder would cause.
        expect(text).toContain('UNAUTHENTICATED');
        expect(text).toContain('A valid bearer token is required.');
        const schemaLoaded = await page.evaluate<boolean>(
          `fetch('/graphql', { method: 'POST', headers: { 'content-type': 'application/json' },
             body: JSON.stringify({ query: '{ __schema { queryType { name } } }' }) })
             .then((r) => r.json()).then((b) => b.data.__schema.queryType.name === 'Query')`,
        );
        expect(schemaLoaded).toBe(true);
      } finally {
        await page.close();
      }
    }, 60_000);
  });
});
