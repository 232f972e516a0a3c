import {
  GraphqlClient,
  launch,
  startTestApp,
  waitForOutput,
  type TestApp,
} from '@okr-ledger/testing';

const SCHEDULE = `mutation ($name: String!) {
  scheduleCycle(input: { name: $name, startsAt: "2026-01-01T00:00:00Z", endsAt: "2026-03-31T23:59:59Z" }) {
    id name status version
  }
}`;
const CYCLES = `{ cycles { name status version } }`;

describe('The projector process (PROJECTOR=external)', () => {
  let api: TestApp;
  let ana: GraphqlClient;

  beforeAll(async () => {
    api = await startTestApp({ PROJECTOR: 'external' });
    ana = await GraphqlClient.as(api.url, { sub: 'ana', org: 'acme' });
  });
  afterAll(async () => {
    await api.close();
  });

  describe('when the API does not project', () => {
    it('answers mutations once the separate projector has caught up, and a rebuild beside them keeps every row', async () => {
      const projector = launch('apps/projector/src/main.ts', { DATABASE_URL: api.database.url });
      try {
        await waitForOutput(projector, /okr-projector: running teams, okr-tree/);

        // Read-your-writes across processes: the payload comes from the read model.
        const { scheduleCycle } = await ana.data(SCHEDULE, { name: 'Q1' });
        expect(scheduleCycle).toMatchObject({ name: 'Q1', status: 'PLANNING', version: 1 });
        expect((await ana.data(CYCLES)).cycles).toEqual([
          { name: 'Q1', status: 'PLANNING', version: 1 },
        ]);

        const rebuild = launch(
          'apps/projector/src/okr.cli.ts',
          { DATABASE_URL: api.database.url },
          ['rebuild'],
        );
        expect(await rebuild.exited).toBe(0);
        expect(rebuild.output()).toMatch(/okr-tree +rebuilt: \d+ events/);
        expect(rebuild.output()).toMatch(/audit-trail +rebuilt: \d+ events/);
        expect((await ana.data(CYCLES)).cycles).toEqual([
          { name: 'Q1', status: 'PLANNING', version: 1 },
        ]);

        // The live projector carries on into the swapped-in tables.
        await ana.data(SCHEDULE, { name: 'Q2' });
        const { cycles } = await ana.data<{ cycles: { name: string }[] }>(CYCLES);
        expect(cycles.map((c) => c.name).sort()).toEqual(['Q1', 'Q2']);
      } finally {
        projector.child.kill('SIGTERM');
        expect(await projector.exited).toBe(0);
      }
      expect(projector.output()).toContain('SIGTERM received: stopping');
    }, 120_000);
  });

  describe('when started without DATABASE_URL', () => {
    it('stops with one line naming the variable', async () => {
      const projector = launch('apps/projector/src/main.ts', {});
      expect(await projector.exited).toBe(1);
      expect(projector.output().trim()).toBe(
        'okr-projector: invalid configuration: DATABASE_URL: is required by the projector',
      );
    });
  });

  describe('when the rebuild CLI is asked for an unknown projection', () => {
    it('exits 2 with the usage', async () => {
      const cli = launch('apps/projector/src/okr.cli.ts', { DATABASE_URL: api.database.url }, [
        'rebuild',
        'nonsense',
      ]);
      expect(await cli.exited).toBe(2);
      expect(cli.output()).toContain('unknown projection(s): nonsense');
      expect(cli.output()).toContain('usage: npm run okr -- rebuild');
    });
  });
});
