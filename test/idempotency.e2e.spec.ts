import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import {
  createCycle,
  createKeyResult,
  createObjective,
  GraphqlClient,
  startTestApp,
  type TestApp,
} from '@okr-ledger/testing';

/** Every event of one organisation: what "nothing new recorded" is checked against. */
async function eventCount(databaseUrl: string, tenantId: string): Promise<number> {
  const client = new Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const { rows } = await client.query<{ n: string }>(
      'SELECT count(*)::text AS n FROM event_store.events WHERE tenant_id = $1',
      [tenantId],
    );
    return Number(rows[0]?.n ?? 0);
  } finally {
    await client.end();
  }
}

interface Case {
  readonly mutation: string;
  readonly document: string;
  /** Creates what the mutation needs; returns its variables (without the key) and another input. */
  readonly given: (client: GraphqlClient) => Promise<{
    readonly variables: Record<string, unknown>;
    readonly other: Record<string, unknown>;
  }>;
  /** `input` when the key goes inside the input argument, else a top-level argument. */
  readonly keyIn: 'input' | 'args';
}

const DAY = 86_400_000;
const cycleInput = (name: string) => ({
  name,
  startsAt: new Date(Date.now() - 10 * DAY).toISOString(),
  endsAt: new Date(Date.now() + 80 * DAY).toISOString(),
});

async function team(client: GraphqlClient, name = 'Sales'): Promise<string> {
  const { createTeam } = await client.data<{ createTeam: { id: string } }>(
    'mutation ($input: CreateTeamInput!) { createTeam(input: $input) { id } }',
    { input: { name } },
  );
  return createTeam.id;
}

async function planningObjective(client: GraphqlClient) {
  const cycle = await createCycle(client, { start: false });
  const objective = await createObjective(client, { cycleId: cycle.id });
  return { cycle, objective };
}

async function initiative(client: GraphqlClient, keyResultId: string, title: string) {
  const { addInitiative } = await client.data<{
    addInitiative: { initiatives: { id: string; title: string }[] };
  }>(
    'mutation ($input: AddInitiativeInput!) { addInitiative(input: $input) { initiatives { id title } } }',
    { input: { keyResultId, title } },
  );
  const found = addInitiative.initiatives.find((i) => i.title === title);
  if (!found) throw new Error(`initiative ${title} missing`);
  return found.id;
}

const withInput = (input: Record<string, unknown>) => ({ input });

// Every recording mutation of the schema but checkInKeyResult (its key keeps its own rule).
const CASES: readonly Case[] = [
  {
    mutation: 'createTeam',
    document: 'mutation ($input: CreateTeamInput!) { createTeam(input: $input) { id version } }',
    keyIn: 'input',
    given: async () => ({
      variables: withInput({ name: 'Platform' }),
      other: withInput({ name: 'Growth' }),
    }),
  },
  {
    mutation: 'renameTeam',
    document: 'mutation ($input: RenameTeamInput!) { renameTeam(input: $input) { id version } }',
    keyIn: 'input',
    given: async (c) => {
      const teamId = await team(c);
      return {
        variables: withInput({ teamId, name: 'Sales EMEA' }),
        other: withInput({ teamId, name: 'Sales APAC' }),
      };
    },
  },
  {
    mutation: 'moveTeam',
    document: 'mutation ($input: MoveTeamInput!) { moveTeam(input: $input) { id version } }',
    keyIn: 'input',
    given: async (c) => {
      const [teamId, parentTeamId] = [await team(c, 'Child'), await team(c, 'Parent')];
      return {
        variables: withInput({ teamId, parentTeamId }),
        other: withInput({ teamId, parentTeamId: null }),
      };
    },
  },
  {
    mutation: 'scheduleCycle',
    document:
      'mutation ($input: ScheduleCycleInput!) { scheduleCycle(input: $input) { id version } }',
    keyIn: 'input',
    given: async () => ({
      variables: withInput(cycleInput('2026 Q1')),
      other: withInput(cycleInput('2026 Q2')),
    }),
  },
  {
    mutation: 'startCycle',
    document:
      'mutation ($id: ID!, $expectedVersion: Int, $idempotencyKey: String) { startCycle(id: $id, expectedVersion: $expectedVersion, idempotencyKey: $idempotencyKey) { id version } }',
    keyIn: 'args',
    given: async (c) => {
      const cycle = await createCycle(c, { start: false });
      return {
        variables: { id: cycle.id, expectedVersion: 1 },
        other: { id: cycle.id },
      };
    },
  },
  {
    mutation: 'closeCycle',
    document:
      'mutation ($id: ID!, $expectedVersion: Int, $idempotencyKey: String) { closeCycle(id: $id, expectedVersion: $expectedVersion, idempotencyKey: $idempotencyKey) { id version } }',
    keyIn: 'args',
    given: async (c) => {
      const cycle = await createCycle(c);
      return { variables: { id: cycle.id }, other: { id: cycle.id, expectedVersion: 2 } };
    },
  },
  {
    mutation: 'setObjective',
    document:
      'mutation ($input: SetObjectiveInput!) { setObjective(input: $input) { id version } }',
    keyIn: 'input',
    given: async (c) => {
      const cycle = await createCycle(c, { start: false });
      return {
        variables: withInput({ cycleId: cycle.id, title: 'Win EMEA' }),
        other: withInput({ cycleId: cycle.id, title: 'Win APAC' }),
      };
    },
  },
  {
    mutation: 'reviseObjective',
    document:
      'mutation ($input: ReviseObjectiveInput!) { reviseObjective(input: $input) { id version } }',
    keyIn: 'input',
    given: async (c) => {
      const { objective } = await planningObjective(c);
      return {
        variables: withInput({ objectiveId: objective.id, title: 'Revised', expectedVersion: 1 }),
        other: withInput({ objectiveId: objective.id, title: 'Revised again' }),
      };
    },
  },
  {
    mutation: 'alignObjective',
    document:
      'mutation ($input: AlignObjectiveInput!) { alignObjective(input: $input) { id version } }',
    keyIn: 'input',
    given: async (c) => {
      const { cycle, objective } = await planningObjective(c);
      const parent = await createObjective(c, { cycleId: cycle.id, title: 'Parent' });
      return {
        variables: withInput({ objectiveId: objective.id, parentObjectiveId: parent.id }),
        other: withInput({ objectiveId: objective.id }),
      };
    },
  },
  {
    mutation: 'archiveObjective',
    document:
      'mutation ($input: ArchiveObjectiveInput!) { archiveObjective(input: $input) { id version } }',
    keyIn: 'input',
    given: async (c) => {
      const { objective } = await planningObjective(c);
      return {
        variables: withInput({ objectiveId: objective.id }),
        other: withInput({ objectiveId: objective.id, reason: 'merged' }),
      };
    },
  },
  {
    mutation: 'addKeyResult',
    document:
      'mutation ($input: AddKeyResultInput!) { addKeyResult(input: $input) { id version } }',
    keyIn: 'input',
    given: async (c) => {
      const { objective } = await planningObjective(c);
      const kr = (title: string) => ({
        objectiveId: objective.id,
        title,
        type: 'INCREASE',
        kind: 'OUTCOME',
        startValue: 0,
        targetValue: 10,
      });
      return { variables: withInput(kr('Deals')), other: withInput(kr('Leads')) };
    },
  },
  {
    mutation: 'redefineKeyResult',
    document:
      'mutation ($input: RedefineKeyResultInput!) { redefineKeyResult(input: $input) { id version } }',
    keyIn: 'input',
    given: async (c) => {
      const { objective } = await planningObjective(c);
      const keyResult = await createKeyResult(c, { objectiveId: objective.id });
      return {
        variables: withInput({ keyResultId: keyResult.id, targetValue: 50 }),
        other: withInput({ keyResultId: keyResult.id, targetValue: 60 }),
      };
    },
  },
  {
    mutation: 'graduateKeyResult',
    document:
      'mutation ($input: GraduateKeyResultInput!) { graduateKeyResult(input: $input) { id version } }',
    keyIn: 'input',
    given: async (c) => {
      const { objective } = await planningObjective(c);
      const keyResult = await createKeyResult(c, { objectiveId: objective.id });
      return {
        variables: withInput({ keyResultId: keyResult.id }),
        other: withInput({ keyResultId: keyResult.id, reason: 'a KPI now' }),
      };
    },
  },
  {
    mutation: 'addInitiative',
    document:
      'mutation ($input: AddInitiativeInput!) { addInitiative(input: $input) { id version } }',
    keyIn: 'input',
    given: async (c) => {
      const { objective } = await planningObjective(c);
      const keyResult = await createKeyResult(c, { objectiveId: objective.id });
      return {
        variables: withInput({ keyResultId: keyResult.id, title: 'Hire an SDR' }),
        other: withInput({ keyResultId: keyResult.id, title: 'Hire two SDRs' }),
      };
    },
  },
  {
    mutation: 'completeInitiative',
    document:
      'mutation ($input: CompleteInitiativeInput!) { completeInitiative(input: $input) { id version } }',
    keyIn: 'input',
    given: async (c) => {
      const { objective } = await planningObjective(c);
      const keyResult = await createKeyResult(c, { objectiveId: objective.id });
      const first = await initiative(c, keyResult.id, 'One');
      const second = await initiative(c, keyResult.id, 'Two');
      return {
        variables: withInput({ keyResultId: keyResult.id, initiativeId: first }),
        other: withInput({ keyResultId: keyResult.id, initiativeId: second }),
      };
    },
  },
];

function keyed(keyIn: Case['keyIn'], variables: Record<string, unknown>, key: string) {
  if (keyIn === 'args') return { ...variables, idempotencyKey: key };
  return { ...variables, input: { ...(variables.input as object), idempotencyKey: key } };
}

describe('Idempotent mutations', () => {
  let testApp: TestApp;
  let ana: GraphqlClient;
  let zoe: GraphqlClient;

  beforeAll(async () => {
    testApp = await startTestApp();
    ana = await GraphqlClient.as(testApp.url, { sub: 'ana', org: 'acme' });
    zoe = await GraphqlClient.as(testApp.url, { sub: 'zoe', org: 'globex' });
  });
  afterAll(async () => {
    await testApp.close();
  });

  describe.each(CASES)('$mutation', ({ mutation, document, given, keyIn }) => {
    describe('when retried with the same key and input', () => {
      it('answers the first result and records nothing', async () => {
        const { variables } = await given(ana);
        const key = randomUUID();
        const first = await ana.data(document, keyed(keyIn, variables, key));
        const events = await eventCount(testApp.database.url, 'acme');
        const again = await ana.data(document, keyed(keyIn, variables, key));
        expect(again[mutation]).toEqual(first[mutation]);
        expect(await eventCount(testApp.database.url, 'acme')).toBe(events);
      });
    });

    describe('when the same key comes with another input', () => {
      it('is BAD_USER_INPUT naming the idempotencyKey, and records nothing', async () => {
        const { variables, other } = await given(ana);
        const key = randomUUID();
        await ana.data(document, keyed(keyIn, variables, key));
        const events = await eventCount(testApp.database.url, 'acme');
        const error = await ana.error(document, keyed(keyIn, other, key));
        expect(error.extensions?.code).toBe('BAD_USER_INPUT');
        expect(error.extensions?.fieldErrors).toEqual([
          expect.objectContaining({
            path: keyIn === 'input' ? 'input.idempotencyKey' : 'idempotencyKey',
          }),
        ]);
        expect(await eventCount(testApp.database.url, 'acme')).toBe(events);
      });
    });
  });

  describe('when a keyed create is retried', () => {
    it('targets the same aggregate: one objective in the cycle, one ObjectiveSet in the trail', async () => {
      const cycle = await createCycle(ana, { start: false });
      const input = { cycleId: cycle.id, title: 'Once only', idempotencyKey: 'create-1' };
      const set = 'mutation ($input: SetObjectiveInput!) { setObjective(input: $input) { id } }';
      const first = await ana.data(set, { input });
      const again = await ana.data(set, { input });
      expect(again.setObjective.id).toBe(first.setObjective.id);
      const { objectives } = await ana.data(
        'query ($cycleId: ID) { objectives(cycleId: $cycleId) { totalCount } }',
        { cycleId: cycle.id },
      );
      expect(objectives.totalCount).toBe(1);
      const { auditTrail } = await ana.data(
        'query ($id: ID!) { auditTrail(filter: { aggregateId: $id }) { edges { node { eventType } } } }',
        { id: first.setObjective.id },
      );
      expect(auditTrail.edges).toEqual([{ node: { eventType: 'ObjectiveSet' } }]);
    });
  });

  describe('when a stale expectedVersion comes with a key already applied', () => {
    it('answers the first result instead of CONFLICT', async () => {
      const { objective } = await planningObjective(ana);
      const revise =
        'mutation ($input: ReviseObjectiveInput!) { reviseObjective(input: $input) { id title version } }';
      const input = { objectiveId: objective.id, title: 'Sharper', expectedVersion: 1 };
      const first = await ana.data(revise, { input: { ...input, idempotencyKey: 'revise-1' } });
      const again = await ana.data(revise, { input: { ...input, idempotencyKey: 'revise-1' } });
      expect(again.reviseObjective).toEqual(first.reviseObjective);
      expect(again.reviseObjective).toMatchObject({ title: 'Sharper', version: 2 });
      const stale = await ana.error(revise, {
        input: { ...input, title: 'Sharper still', idempotencyKey: 'revise-2' },
      });
      expect(stale.extensions).toMatchObject({ code: 'CONFLICT', currentVersion: 2 });
    });
  });

  describe('when two organisations use the same key', () => {
    it('keeps them apart', async () => {
      const create =
        'mutation ($input: CreateTeamInput!) { createTeam(input: $input) { id name } }';
      const ours = await ana.data(create, { input: { name: 'Ours', idempotencyKey: 'shared' } });
      const theirs = await zoe.data(create, {
        input: { name: 'Theirs', idempotencyKey: 'shared' },
      });
      expect(theirs.createTeam.id).not.toBe(ours.createTeam.id);
      expect(theirs.createTeam.name).toBe('Theirs');
    });
  });

  describe('when one key is used for another aggregate of the organisation', () => {
    it('is BAD_USER_INPUT naming the idempotencyKey', async () => {
      const start =
        'mutation ($id: ID!, $key: String) { startCycle(id: $id, idempotencyKey: $key) { id } }';
      const [a, b] = [
        await createCycle(ana, { start: false }),
        await createCycle(ana, { start: false }),
      ];
      await ana.data(start, { id: a.id, key: 'start-a' });
      const error = await ana.error(start, { id: b.id, key: 'start-a' });
      expect(error.extensions).toMatchObject({
        code: 'BAD_USER_INPUT',
        fieldErrors: [expect.objectContaining({ path: 'idempotencyKey' })],
      });
    });
  });

  describe('checkInKeyResult', () => {
    const CHECK_IN =
      'mutation ($input: CheckInKeyResultInput!) { checkInKeyResult(input: $input) { id value } }';

    it('answers the same check-in to 10 concurrent identical requests and records one', async () => {
      const cycle = await createCycle(ana);
      const objective = await createObjective(ana, { cycleId: cycle.id });
      const keyResult = await createKeyResult(ana, { objectiveId: objective.id });
      const input = { keyResultId: keyResult.id, value: 7, idempotencyKey: 'burst' };
      const bodies = await Promise.all(
        Array.from({ length: 10 }, () => ana.send(CHECK_IN, { input })),
      );
      expect(bodies.flatMap((b) => b.errors ?? [])).toEqual([]);
      const ids = new Set(
        bodies.map((b) => (b.data?.checkInKeyResult as { id: string } | undefined)?.id),
      );
      expect(ids.size).toBe(1);
      const { keyResult: read } = await ana.data(
        'query ($id: ID!) { keyResult(id: $id) { checkInCount checkIns { edges { node { id } } } } }',
        { id: keyResult.id },
      );
      expect(read.checkInCount).toBe(1);
      expect(read.checkIns.edges).toEqual([{ node: { id: [...ids][0] } }]);
    });
  });
});
