import request from 'supertest';
import {
  checkIn,
  createCycle,
  createKeyResult,
  createObjective,
  GraphqlClient,
  sleep,
  startTestApp,
  type TestApp,
} from '@okr-ledger/testing';
import {
  DEMO_TENANT,
  DEMO_UPSELL_SIGNALS,
  demoId,
  loadDemoInto,
} from '@okr-ledger/testing/demo-quarter';

const HOUR = 60 * 60 * 1000;

const SIGNALS = `query ($id: ID!, $kinds: [AuditSignalKind!]) {
  keyResult(id: $id) { signals(kinds: $kinds) {
    kind keyResultId summary detectedAt position restsOn { position eventId eventType } } }
}`;

const AUDIT = `query ($filter: AuditFilter) {
  auditTrail(filter: $filter, first: 100) {
    totalCount edges { node { id position eventType actorId source signals changes { field from to } } }
  }
}`;

interface Signal {
  kind: string;
  keyResultId: string;
  summary: string;
  detectedAt: string;
  position: string;
  restsOn: { position: string; eventId: string; eventType: string }[];
}

interface Entry {
  id: string;
  position: string;
  eventType: string;
  actorId: string;
  source: string | null;
  signals: string[];
  changes: { field: string; from: string | null; to: string | null }[];
}

/**
 * A key result 0 → 30 fed by a CRM through the ingestion route: six steady values, a person's
 * override, a jump, a value sent five days late, three unchanged on-track check-ins, the close,
 * and a correction of the jump after the close. Each signal kind once.
 */
describe('Audit signals', () => {
  let testApp: TestApp;
  let ana: GraphqlClient;
  let otherTenant: GraphqlClient;
  let keyResultId: string;
  let quietKeyResultId: string;
  let crmKey: string;

  const send = async (value: number, measuredAt: Date) => {
    const response = await request(testApp.url)
      .post('/integrations/measurements')
      .set('Authorization', `Bearer ${crmKey}`)
      .send({ measurements: [{ keyResultId, value, measuredAt: measuredAt.toISOString() }] });
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({ results: [{ accepted: true }] });
  };

  async function signals(kinds?: string[]): Promise<Signal[]> {
    const data = await ana.data<{ keyResult: { signals: Signal[] } }>(SIGNALS, {
      id: keyResultId,
      kinds,
    });
    return data.keyResult.signals;
  }

  async function audit(filter: Record<string, unknown>, client = ana): Promise<Entry[]> {
    const data = await client.data<{ auditTrail: { edges: { node: Entry }[] } }>(AUDIT, {
      filter,
    });
    return data.auditTrail.edges.map((e) => e.node);
  }

  beforeAll(async () => {
    testApp = await startTestApp();
    ana = await GraphqlClient.as(testApp.url, { sub: 'ana', org: 'acme' });
    otherTenant = await GraphqlClient.as(testApp.url, { sub: 'zoe', org: 'globex' });
    const cycle = await createCycle(ana);
    const objective = await createObjective(ana, { cycleId: cycle.id });
    keyResultId = (await createKeyResult(ana, { objectiveId: objective.id, targetValue: 30 })).id;
    quietKeyResultId = (await createKeyResult(ana, { objectiveId: objective.id, title: 'Quiet' }))
      .id;
    await checkIn(ana, { keyResultId: quietKeyResultId, value: 5, confidence: 0.9 });
    const { registerDataSource } = await ana.data<{ registerDataSource: { key: string } }>(
      `mutation ($input: RegisterDataSourceInput!) { registerDataSource(input: $input) { key } }`,
      {
        input: { name: 'CRM', kind: 'CRM', expectedIntervalHours: 24, keyResultIds: [keyResultId] },
      },
    );
    crmKey = registerDataSource.key;

    const t0 = Date.now() - 12 * HOUR;
    for (let i = 1; i <= 6; i++) await send(i, new Date(t0 + i * HOUR));
    await checkIn(ana, { keyResultId, value: 6.5 });
    const jumpAt = new Date();
    await send(20, jumpAt);
    await send(15, new Date(Date.now() - 5 * 24 * HOUR));
    for (let i = 0; i < 3; i++) await checkIn(ana, { keyResultId, value: 20, confidence: 0.8 });
    await ana.data(`mutation ($id: ID!) { closeCycle(id: $id) { id } }`, { id: cycle.id });
    await send(19, jumpAt);
    // The route does not wait for the read models: wait for the last signal.
    const deadline = Date.now() + 20_000;
    while ((await signals()).length < 5 && Date.now() < deadline) await sleep(100);
  }, 120_000);
  afterAll(async () => {
    await testApp.close();
  });

  const byKind = async (kind: string) => {
    const found = (await signals()).filter((s) => s.kind === kind);
    expect(found).toHaveLength(1);
    return found[0] as Signal;
  };

  /** The filter finds exactly the entries the signal rests on, each naming the kind. */
  async function expectFilterFinds(signal: Signal) {
    const entries = await audit({ aggregateId: keyResultId, signals: [signal.kind] });
    const ofKeyResult = signal.restsOn.filter((e) => e.eventType !== 'DataSourceRegistered');
    expect(entries.map((e) => e.position)).toEqual(ofKeyResult.map((e) => e.position));
    expect(entries.map((e) => e.id)).toEqual(ofKeyResult.map((e) => e.eventId));
    for (const entry of entries) expect(entry.signals).toContain(signal.kind);
    return entries;
  }

  describe('when the key result is read', () => {
    it('lists one signal of each kind in log order', async () => {
      const all = await signals();
      expect(all.map((s) => s.kind)).toEqual([
        'MANUAL_OVERRIDE',
        'IMPLAUSIBLE_JUMP',
        'BACKDATED_VALUE',
        'STALE_CONFIDENCE',
        'CORRECTED_AFTER_CLOSE',
      ]);
      for (const signal of all) {
        expect(signal.keyResultId).toBe(keyResultId);
        expect(signal.restsOn.at(-1)?.position).toBe(signal.position);
        expect(Number.isNaN(Date.parse(signal.detectedAt))).toBe(false);
      }
      expect((await signals(['BACKDATED_VALUE'])).map((s) => s.kind)).toEqual(['BACKDATED_VALUE']);
    });
  });

  describe('when the key result is read as of an instant', () => {
    it('lists the signals detected by then', async () => {
      const override = await byKind('MANUAL_OVERRIDE');
      const data = await ana.data<{ keyResult: { signals: { kind: string }[] } }>(
        `query ($id: ID!, $asOf: DateTime) { keyResult(id: $id, asOf: $asOf) { signals { kind } } }`,
        { id: keyResultId, asOf: override.detectedAt },
      );
      expect(data.keyResult.signals.map((s) => s.kind)).toEqual(['MANUAL_OVERRIDE']);
    });
  });

  describe('when the key results of an objective are read together', () => {
    it('gives each its own signals (one batched read)', async () => {
      const data = await ana.data<{
        keyResult: { objective: { keyResults: { id: string; signals: { kind: string }[] }[] } };
      }>(
        `query ($id: ID!) { keyResult(id: $id) { objective { keyResults { id signals { kind } } } } }`,
        { id: keyResultId },
      );
      const counts = Object.fromEntries(
        data.keyResult.objective.keyResults.map((k) => [k.id, k.signals.length]),
      );
      expect(counts).toEqual({ [keyResultId]: 5, [quietKeyResultId]: 0 });
    });
  });

  describe('when a person checks in another value than the CRM sent', () => {
    it('is a MANUAL_OVERRIDE resting on the registration, the value sent and the check-in', async () => {
      const signal = await byKind('MANUAL_OVERRIDE');
      expect(signal.summary).toBe(
        'ana checked in 6.5 by hand on a key result fed by data source "CRM"; the last value it sent was 6',
      );
      expect(signal.restsOn.map((e) => e.eventType)).toEqual([
        'DataSourceRegistered',
        'KeyResultCheckedIn',
        'KeyResultCheckedIn',
      ]);
      const [sent, typed] = await expectFilterFinds(signal);
      expect(sent?.source).toBe('INTEGRATION');
      expect(typed).toMatchObject({ actorId: 'ana', source: 'MANUAL' });
    });
  });

  describe('when the CRM sends a value far beyond its steady pace', () => {
    it('is an IMPLAUSIBLE_JUMP resting on the value before and the jump', async () => {
      const signal = await byKind('IMPLAUSIBLE_JUMP');
      expect(signal.summary).toMatch(/^the value went from 6\.5 to 20 \(\+13\.5\)/);
      const entries = await expectFilterFinds(signal);
      expect(entries.at(-1)?.changes).toContainEqual({
        field: 'currentValue',
        from: '6.5',
        to: '20',
      });
    });
  });

  describe('when the CRM sends a value measured five days earlier', () => {
    it('is a BACKDATED_VALUE resting on that check-in alone', async () => {
      const signal = await byKind('BACKDATED_VALUE');
      expect(signal.summary).toMatch(/^15 measured at .* was recorded 5(\.\d+)? days later/);
      expect(await expectFilterFinds(signal)).toHaveLength(1);
    });
  });

  describe('when a person keeps an on-track confidence while the value does not move', () => {
    it('is a STALE_CONFIDENCE resting on the three check-ins', async () => {
      const signal = await byKind('STALE_CONFIDENCE');
      expect(signal.summary).toBe(
        'confidence 0.8 ("on track") on 3 check-ins in a row while the value stayed at 20',
      );
      const entries = await expectFilterFinds(signal);
      expect(entries.map((e) => e.actorId)).toEqual(['ana', 'ana', 'ana']);
    });
  });

  describe('when the CRM corrects a value after the cycle closed', () => {
    it('is CORRECTED_AFTER_CLOSE resting on the corrected value, the close and the correction', async () => {
      const signal = await byKind('CORRECTED_AFTER_CLOSE');
      expect(signal.restsOn.map((e) => e.eventType)).toEqual([
        'KeyResultCheckedIn',
        'CycleClosed',
        'KeyResultCheckedIn',
      ]);
      expect(signal.summary).toContain('was recorded as a correction');
      // The close is the cycle's entry: found by the filter without the key-result condition.
      const entries = await audit({ signals: ['CORRECTED_AFTER_CLOSE'] });
      expect(entries.map((e) => e.eventType)).toEqual([
        'KeyResultCheckedIn',
        'CycleClosed',
        'KeyResultCheckedIn',
      ]);
      // The corrected value is the jump: both signals rest on it.
      expect(entries[0]?.signals).toEqual(['CORRECTED_AFTER_CLOSE', 'IMPLAUSIBLE_JUMP']);
    });
  });

  describe('when entries no signal rests on are read', () => {
    it('names no signal on them', async () => {
      const [added] = await audit({ aggregateId: keyResultId, eventTypes: ['KeyResultAdded'] });
      expect(added?.signals).toEqual([]);
    });
  });

  describe('when another organisation filters by signals', () => {
    it('finds none of them', async () => {
      expect(
        await audit({ signals: ['MANUAL_OVERRIDE', 'STALE_CONFIDENCE'] }, otherTenant),
      ).toEqual([]);
    });
  });

  describe('when the demo quarter is loaded', () => {
    it('shows its CRM-fed upsell key result’s signals to an auditor', async () => {
      const demo = await loadDemoInto(testApp);
      const auditor = await GraphqlClient.as(testApp.url, {
        sub: 'ida',
        org: DEMO_TENANT,
        roles: ['AUDITOR'],
      });
      const upsell = demoId(`${demo.quarter.name}:key-result:upsell`);
      // loadDemoInto waits until they are projected, and checks their kinds.
      const { keyResult } = await auditor.data<{ keyResult: { signals: Signal[] } }>(SIGNALS, {
        id: upsell,
      });
      expect(keyResult.signals.map((s) => s.kind)).toEqual([...DEMO_UPSELL_SIGNALS]);
      expect(keyResult.signals[2]?.summary).toBe(
        'ben checked in 390 by hand on a key result fed by data source "Salesforce CRM"; the last value it sent was 370',
      );
      const overridden = await audit(
        { aggregateId: upsell, signals: ['MANUAL_OVERRIDE'] },
        auditor,
      );
      expect(overridden.map((e) => e.actorId)).toEqual([
        expect.stringMatching(/^data-source:/),
        'ben',
      ]);
    }, 120_000);
  });

  describe('when the filter names an unknown kind', () => {
    it('is BAD_USER_INPUT', async () => {
      const error = await ana.error(AUDIT, { filter: { signals: ['NOT_A_SIGNAL'] } });
      expect(error.extensions?.code).toBe('BAD_USER_INPUT');
    });
  });
});
