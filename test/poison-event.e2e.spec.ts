import { createPostgresEventStore, type PostgresEventStore } from '@okr-ledger/event-store';
import {
  createCycle,
  createObjective,
  GraphqlClient,
  launch,
  startTestApp,
  type TestApp,
} from '@okr-ledger/testing';
import request from 'supertest';
import { appendYearZeroCycle } from '../libs/read-models/src/testing/poison-events';

const CYCLES = `{ cycles { name status } }`;

interface Stall {
  projection: string;
  tenantId: string;
  position: string;
  eventType: string;
  stalledAt: string;
}

// Tests read responses loosely (they assert on them); `any` keeps that terse.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Body = Record<string, any>;

async function health(url: string): Promise<{ status: number; body: Body }> {
  const response = await request(url).get('/health');
  return { status: response.status, body: response.body as Body };
}

describe('A poison event in one organisation’s log', () => {
  let api: TestApp;
  let store: PostgresEventStore;
  let acme: GraphqlClient;
  let globex: GraphqlClient;
  let initech: GraphqlClient;
  let poison: string;

  beforeAll(async () => {
    api = await startTestApp();
    store = await createPostgresEventStore(api.database.url, { maxConnections: 2 });
    acme = await GraphqlClient.as(api.url, { sub: 'ana', org: 'acme' });
    globex = await GraphqlClient.as(api.url, { sub: 'eve', org: 'globex' });
    initech = await GraphqlClient.as(api.url, { sub: 'ian', org: 'initech' });
    await createCycle(acme, { name: 'before' });
    poison = await appendYearZeroCycle(store, { tenantId: 'acme', actorId: 'mallory' }, 'graphql');
  });
  afterAll(async () => {
    await store.close();
    await api.close();
  });

  describe('when the other organisations keep working', () => {
    it('records and shows their writes while the poisoned one is halted', async () => {
      const cycle = await createCycle(globex, { name: 'Q1' });
      const objective = await createObjective(globex, { cycleId: cycle.id, title: 'Grow' });
      expect(objective.version).toBe(1);
      expect((await globex.data(CYCLES)).cycles).toEqual([{ name: 'Q1', status: 'ACTIVE' }]);
      // The poisoned organisation's reads still answer, as they stood before the event.
      expect((await acme.data(CYCLES)).cycles).toEqual([{ name: 'before', status: 'ACTIVE' }]);
    });

    it('answers a write of the halted organisation with PROJECTION_STALLED', async () => {
      const error = await acme.error(
        `mutation { scheduleCycle(input: { name: "after", startsAt: "2026-01-01T00:00:00Z", endsAt: "2026-03-31T00:00:00Z" }) { id } }`,
      );
      expect(error.extensions).toMatchObject({
        code: 'PROJECTION_STALLED',
        projection: 'okr-tree',
        position: poison,
      });
    });
  });

  describe('when /health is asked', () => {
    it('is 200 with status degraded, naming the projection, the organisation and the position', async () => {
      const { status, body } = await health(api.url);
      expect(status).toBe(200);
      expect(body.status).toBe('degraded');
      expect(body.details.database.status).toBe('up');
      expect(body.details.projections.stalls).toEqual([
        {
          projection: 'okr-tree',
          tenantId: 'acme',
          position: poison,
          eventType: 'CycleScheduled',
          stalledAt: expect.any(String),
        },
      ]);
    });
  });

  describe('when stalls are listed and retried with the CLI', () => {
    it('lists the stall with its error, keeps it while the event still fails, and resumes a fixed one', async () => {
      const env = { DATABASE_URL: api.database.url };
      const list = launch('apps/projector/src/okr.cli.ts', env, ['projections']);
      expect(await list.exited).toBe(0);
      expect(list.output()).toContain(`okr-tree  tenant acme  stalled at ${poison}`);
      expect(list.output()).toMatch(/error: date\/time field value out of range/);

      // No fix for year 0: the retry fails again and says so.
      const again = launch('apps/projector/src/okr.cli.ts', env, ['projections', 'retry']);
      expect(await again.exited).toBe(1);
      expect(again.output()).toContain(`okr-tree  tenant acme  still stalled at ${poison}`);

      // A fault that a fix removes: the read model refuses one organisation's cycle name.
      await store.pool.query(`
        CREATE FUNCTION read_models.refuse_blocked() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
          IF NEW.name = 'blocked' THEN RAISE EXCEPTION 'cycle name refused'; END IF;
          RETURN NEW;
        END $$;
        CREATE TRIGGER refuse_blocked BEFORE INSERT ON read_models.cycles
          FOR EACH ROW EXECUTE FUNCTION read_models.refuse_blocked();`);
      const blocked = `mutation { scheduleCycle(input: { name: "blocked", startsAt: "2026-01-01T00:00:00Z", endsAt: "2026-03-31T00:00:00Z", idempotencyKey: "blocked-cycle" }) { id } }`;
      // On a loaded machine the projector may find the fault after read-your-writes gave up
      // (2 s): that first answer is then the payload folded from the events. The keyed retry
      // records nothing and waits for the same event, whose stall is known by then.
      await initech.send(blocked);
      const deadline = Date.now() + 10_000;
      let stallTenants: string[] = [];
      while (!stallTenants.includes('initech') && Date.now() < deadline) {
        const { body } = await health(api.url);
        stallTenants = (body.details.projections.stalls as Stall[]).map((s) => s.tenantId);
        if (!stallTenants.includes('initech')) await new Promise((r) => setTimeout(r, 100));
      }
      expect(stallTenants).toEqual(['acme', 'initech']);
      const stalled = await initech.error(blocked);
      expect(stalled.extensions?.code).toBe('PROJECTION_STALLED');

      // The fix, then the retry of that organisation alone.
      await store.pool.query(`DROP TRIGGER refuse_blocked ON read_models.cycles`);
      const retry = launch('apps/projector/src/okr.cli.ts', env, [
        'projections',
        'retry',
        '--projection',
        'okr-tree',
        '--tenant',
        'initech',
      ]);
      expect(await retry.exited).toBe(0);
      expect(retry.output()).toContain('okr-tree  tenant initech  resumed: 1 event re-applied');
      expect((await initech.data(CYCLES)).cycles).toEqual([
        { name: 'blocked', status: 'PLANNING' },
      ]);
      // Its writes answer again: the next batch re-reads the stalls.
      const next = await initech.data(
        `mutation { scheduleCycle(input: { name: "next", startsAt: "2026-04-01T00:00:00Z", endsAt: "2026-06-30T00:00:00Z" }) { name } }`,
      );
      expect(next.scheduleCycle).toEqual({ name: 'next' });
      const after = await health(api.url);
      expect(after.body.status).toBe('degraded');
      expect((after.body.details.projections.stalls as Stall[]).map((s) => s.tenantId)).toEqual([
        'acme',
      ]);
    }, 120_000);
  });
});
