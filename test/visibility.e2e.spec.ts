import {
  createCycle,
  GraphqlClient,
  liveSubscription,
  sleep,
  startTestApp,
  type TestApp,
} from '@okr-ledger/testing';
import request from 'supertest';
import { DataSource } from 'typeorm';

/**
 * Visibility of the live reads (issue #14, ADR 0017): for every caller of the matrix, each read
 * answers exactly the objectives that caller may see, now and as of an instant before two
 * visibility changes (visible then and now). Hidden is absent from lists and null (NOT_FOUND)
 * by id, as an unknown id.
 *
 * Teams: Sales, and East below it. `lead` leads Sales, `rep` is a member of East, `out` of
 * no team; `owner` owns the private objective and shares it with `friend`.
 */
type Person = 'admin' | 'aud' | 'lead' | 'rep' | 'out' | 'owner' | 'friend';
type Name = 'pub' | 'eastTeam' | 'salesTeam' | 'eastOnly' | 'priv' | 'privChild' | 'hiddenChild';
const PEOPLE: readonly Person[] = ['admin', 'aud', 'lead', 'rep', 'out', 'owner', 'friend'];
const ROLES: Record<Person, string> = {
  admin: 'ADMIN',
  aud: 'AUDITOR',
  lead: 'MEMBER',
  rep: 'MEMBER',
  out: 'MEMBER',
  owner: 'MEMBER',
  friend: 'MEMBER',
};
const ALL: readonly Name[] = [
  'pub',
  'eastTeam',
  'salesTeam',
  'eastOnly',
  'priv',
  'privChild',
  'hiddenChild',
];

/**
 * Now: pub PUBLIC (East); eastTeam PUBLIC (East, was TEAM); salesTeam PRIVATE owned by admin
 * (Sales, was TEAM); eastOnly TEAM (East) throughout; priv PRIVATE owned by owner, shared
 * with friend; privChild PUBLIC below priv; hiddenChild PRIVATE (owner's) below priv.
 */
const VISIBLE_NOW: Record<Person, readonly Name[]> = {
  admin: ['pub', 'eastTeam', 'salesTeam', 'eastOnly', 'privChild'],
  aud: ALL,
  lead: ['pub', 'eastTeam', 'eastOnly', 'privChild'],
  rep: ['pub', 'eastTeam', 'eastOnly', 'privChild'],
  out: ['pub', 'eastTeam', 'privChild'],
  owner: ['pub', 'eastTeam', 'priv', 'privChild', 'hiddenChild'],
  friend: ['pub', 'eastTeam', 'priv', 'privChild'],
};
/**
 * As of the instant before the changes (eastTeam and salesTeam were TEAM): visible then and
 * now. `out` did not see eastTeam then; `lead` saw salesTeam then but not now.
 */
const VISIBLE_AS_OF: Record<Person, readonly Name[]> = {
  admin: ['pub', 'eastTeam', 'salesTeam', 'eastOnly', 'privChild'],
  aud: ALL,
  lead: ['pub', 'eastTeam', 'eastOnly', 'privChild'],
  rep: ['pub', 'eastTeam', 'eastOnly', 'privChild'],
  out: ['pub', 'privChild'],
  owner: ['pub', 'priv', 'privChild', 'hiddenChild'],
  friend: ['pub', 'priv', 'privChild'],
};

const ORG = 'acme-visibility';

describe('Visibility of the live reads', () => {
  let testApp: TestApp;
  const as = {} as Record<Person, GraphqlClient>;
  const ids = {} as Record<Name, string>;
  let cycleId: string;
  let privKeyResult: string;
  let pubKeyResult: string;
  let before: string;

  const names = (objectiveIds: readonly string[]): Name[] =>
    objectiveIds.map((id) => {
      const name = ALL.find((n) => ids[n] === id);
      if (!name) throw new Error(`an objective not of the matrix came back: ${id}`);
      return name;
    });
  const sorted = (list: readonly Name[]): Name[] => [...list].sort();

  async function set(client: GraphqlClient, input: Record<string, unknown>): Promise<string> {
    const { setObjective } = await client.data<{ setObjective: { id: string } }>(
      `mutation ($input: SetObjectiveInput!) { setObjective(input: $input) { id } }`,
      { input: { cycleId, ...input } },
    );
    return setObjective.id;
  }

  async function keyResultOf(client: GraphqlClient, objectiveId: string): Promise<string> {
    const { addKeyResult } = await client.data<{ addKeyResult: { id: string } }>(
      `mutation ($input: AddKeyResultInput!) { addKeyResult(input: $input) { id } }`,
      {
        input: {
          objectiveId,
          title: 'Runs',
          type: 'INCREASE',
          kind: 'OUTPUT',
          startValue: 0,
          targetValue: 10,
        },
      },
    );
    return addKeyResult.id;
  }

  async function changeVisibility(objectiveId: string, visibility: string): Promise<void> {
    await as.admin.data(
      `mutation ($input: ChangeObjectiveVisibilityInput!) {
        changeObjectiveVisibility(input: $input) { id } }`,
      { input: { objectiveId, visibility, reason: 'reorganised' } },
    );
  }

  beforeAll(async () => {
    testApp = await startTestApp();
    for (const person of PEOPLE) {
      as[person] = await GraphqlClient.as(testApp.url, {
        sub: person,
        org: ORG,
        roles: [ROLES[person]],
      });
    }
    const team = async (name: string, parentTeamId: string | null) =>
      (
        await as.admin.data<{ createTeam: { id: string } }>(
          `mutation ($input: CreateTeamInput!) { createTeam(input: $input) { id } }`,
          { input: { name, parentTeamId } },
        )
      ).createTeam.id;
    const sales = await team('Sales', null);
    const east = await team('East', sales);
    const member = (teamId: string, personId: string, lead: boolean) =>
      as.admin.data(
        `mutation ($input: AddTeamMemberInput!) { addTeamMember(input: $input) { id } }`,
        { input: { teamId, personId, lead } },
      );
    await member(sales, 'lead', true);
    await member(east, 'rep', false);

    cycleId = (await createCycle(as.admin)).id;
    ids.pub = await set(as.admin, { title: 'Grow East', teamId: east, visibility: 'PUBLIC' });
    ids.eastTeam = await set(as.admin, {
      title: 'East hiring',
      teamId: east,
      ownerId: 'admin',
      visibility: 'TEAM',
    });
    ids.salesTeam = await set(as.admin, {
      title: 'Sales M&A',
      teamId: sales,
      ownerId: 'admin',
      visibility: 'TEAM',
    });
    ids.eastOnly = await set(as.admin, {
      title: 'East pipeline review',
      teamId: east,
      ownerId: 'admin',
      visibility: 'TEAM',
    });
    // Teamless and without visibility: PRIVATE, owned by the person who set it.
    ids.priv = await set(as.owner, { title: 'Get in better shape' });
    ids.privChild = await set(as.owner, {
      title: 'Run a marathon together',
      visibility: 'PUBLIC',
      parentObjectiveId: ids.priv,
    });
    ids.hiddenChild = await set(as.owner, {
      title: 'Lose 5 kg',
      parentObjectiveId: ids.priv,
    });
    await as.owner.data(
      `mutation ($input: ShareObjectiveInput!) { shareObjective(input: $input) { id } }`,
      { input: { objectiveId: ids.priv, personId: 'friend' } },
    );
    privKeyResult = await keyResultOf(as.owner, ids.priv);
    pubKeyResult = await keyResultOf(as.admin, ids.pub);

    await sleep(100);
    before = new Date().toISOString();
    await sleep(100);
    await changeVisibility(ids.eastTeam, 'PUBLIC');
    await changeVisibility(ids.salesTeam, 'PRIVATE');
  });
  afterAll(async () => {
    await testApp.close();
  });

  describe('when each caller reads the cycle now', () => {
    it.each(PEOPLE)('objectives and cycle.objectives list exactly what %s may see', async (p) => {
      type Listing = { totalCount: number; edges: { node: { id: string } }[] };
      const { objectives, cycle } = await as[p].data<{
        objectives: Listing;
        cycle: { objectives: Listing };
      }>(
        `query ($cycleId: ID!) {
          objectives(cycleId: $cycleId, first: 100) { totalCount edges { node { id } } }
          cycle(id: $cycleId) { objectives(first: 100) { totalCount edges { node { id } } } }
        }`,
        { cycleId },
      );
      const listed = (c: Listing) => c.edges.map((e) => e.node.id);
      expect(sorted(names(listed(objectives)))).toEqual(sorted(VISIBLE_NOW[p]));
      expect(objectives.totalCount).toBe(VISIBLE_NOW[p].length);
      expect(sorted(names(listed(cycle.objectives)))).toEqual(sorted(VISIBLE_NOW[p]));
      expect(cycle.objectives.totalCount).toBe(VISIBLE_NOW[p].length);
    });

    it.each(PEOPLE)('objective(id) is null for every objective %s may not see', async (p) => {
      for (const name of ALL) {
        const { objective } = await as[p].data(`query ($id: ID!) { objective(id: $id) { id } }`, {
          id: ids[name],
        });
        expect([name, objective?.id ?? null]).toEqual([
          name,
          VISIBLE_NOW[p].includes(name) ? ids[name] : null,
        ]);
      }
    });

    it.each(PEOPLE)('keyResult(id) of a hidden objective is null for %s', async (p) => {
      const { priv, pub } = await as[p].data(
        `query ($priv: ID!, $pub: ID!) {
          priv: keyResult(id: $priv) { id objective { id } checkIns { totalCount } }
          pub: keyResult(id: $pub) { id objective { id } }
        }`,
        { priv: privKeyResult, pub: pubKeyResult },
      );
      expect(pub).toEqual({ id: pubKeyResult, objective: { id: ids.pub } });
      expect(priv).toEqual(
        VISIBLE_NOW[p].includes('priv')
          ? { id: privKeyResult, objective: { id: ids.priv }, checkIns: { totalCount: 0 } }
          : null,
      );
    });

    it.each(PEOPLE)(
      'alignmentTree leaves out what %s may not see; a visible child of a hidden parent is a root',
      async (p) => {
        const { alignmentTree } = await as[p].data(
          `query ($cycleId: ID!) {
            alignmentTree(cycleId: $cycleId) { parentId depth objective { id title } }
          }`,
          { cycleId },
        );
        const nodes = alignmentTree as {
          parentId: string | null;
          depth: number;
          objective: { id: string };
        }[];
        expect(sorted(names(nodes.map((n) => n.objective.id)))).toEqual(sorted(VISIBLE_NOW[p]));
        const child = nodes.find((n) => n.objective.id === ids.privChild);
        const seesParent = VISIBLE_NOW[p].includes('priv');
        expect(child).toMatchObject(
          seesParent ? { parentId: ids.priv, depth: 1 } : { parentId: null, depth: 0 },
        );
        // Nothing of the hidden parent: not its id, not its title.
        if (!seesParent) expect(JSON.stringify(alignmentTree)).not.toContain(ids.priv);
        if (!seesParent) expect(JSON.stringify(alignmentTree)).not.toContain('better shape');
      },
    );

    it.each(PEOPLE)('nested fields show %s only what it may see', async (p) => {
      const { child, parent } = await as[p].data(
        `query ($child: ID!, $parent: ID!) {
          child: objective(id: $child) { parentObjective { id } }
          parent: objective(id: $parent) { children { id } }
        }`,
        { child: ids.privChild, parent: ids.priv },
      );
      const seesParent = VISIBLE_NOW[p].includes('priv');
      expect(child).toEqual({ parentObjective: seesParent ? { id: ids.priv } : null });
      if (!seesParent) {
        expect(parent).toBeNull();
        return;
      }
      const children = (parent as { children: { id: string }[] }).children.map((c) => c.id);
      expect(sorted(names(children))).toEqual(
        sorted(VISIBLE_NOW[p].filter((n) => n === 'privChild' || n === 'hiddenChild')),
      );
    });
  });

  describe('when each caller reads as of an instant before the visibility changes', () => {
    it.each(PEOPLE)(
      'objective, cycle.objectives and alignmentTree answer what %s saw then and sees now',
      async (p) => {
        const expected = sorted(VISIBLE_AS_OF[p]);
        const byId: Name[] = [];
        for (const name of ALL) {
          const { objective } = await as[p].data(
            `query ($id: ID!, $asOf: DateTime) { objective(id: $id, asOf: $asOf) { id } }`,
            { id: ids[name], asOf: before },
          );
          if (objective) byId.push(name);
        }
        expect(sorted(byId)).toEqual(expected);

        const { objective, alignmentTree } = await as[p].data(
          `query ($id: ID!, $cycleId: ID!, $asOf: DateTime) {
          objective(id: $id, asOf: $asOf) { cycle { objectives(first: 100) { edges { node { id } } } } }
          alignmentTree(cycleId: $cycleId, asOf: $asOf) { parentId objective { id } }
        }`,
          { id: ids.pub, cycleId, asOf: before },
        );
        const listed = (objective.cycle.objectives.edges as { node: { id: string } }[]).map(
          (e) => e.node.id,
        );
        expect(sorted(names(listed))).toEqual(expected);
        const nodes = alignmentTree as { parentId: string | null; objective: { id: string } }[];
        expect(sorted(names(nodes.map((n) => n.objective.id)))).toEqual(expected);
        const child = nodes.find((n) => n.objective.id === ids.privChild);
        expect(child?.parentId).toBe(VISIBLE_AS_OF[p].includes('priv') ? ids.priv : null);
      },
    );
  });

  describe('when key results are checked in while people follow the cycle', () => {
    it('each subscriber hears only of the objectives it may see', async () => {
      const checkedIn = `subscription ($cycleId: ID!) {
        keyResultCheckedIn(cycleId: $cycleId) { id keyResultId } }`;
      const changed = `subscription ($cycleId: ID!) { objectiveChanged(cycleId: $cycleId) { id } }`;
      const follow = (p: Person, query: string) =>
        liveSubscription(testApp.url, as[p].token, query, { cycleId });
      const subscribers = {
        outCheckIns: await follow('out', checkedIn),
        outChanges: await follow('out', changed),
        ownerCheckIns: await follow('owner', checkedIn),
        friendChanges: await follow('friend', changed),
        adminChanges: await follow('admin', changed),
      };
      const record = (client: GraphqlClient, keyResultId: string, value: number) =>
        client.data(
          `mutation ($input: CheckInKeyResultInput!) { checkInKeyResult(input: $input) { id } }`,
          { input: { keyResultId, value } },
        );
      try {
        // The hidden one first: whoever hears of the public one after has been sent the first.
        await record(as.owner, privKeyResult, 3);
        await record(as.admin, pubKeyResult, 4);
        type Payload = {
          data?: {
            keyResultCheckedIn?: { keyResultId: string };
            objectiveChanged?: { id: string };
          };
        };
        const heard = (v: unknown) => (v as Payload).data?.keyResultCheckedIn?.keyResultId;
        const changedId = (v: unknown) => (v as Payload).data?.objectiveChanged?.id;

        await subscribers.ownerCheckIns.waitFor((v) => heard(v) === pubKeyResult);
        expect(subscribers.ownerCheckIns.values.map(heard)).toEqual([privKeyResult, pubKeyResult]);
        await subscribers.outCheckIns.waitFor((v) => heard(v) === pubKeyResult);
        expect(subscribers.outCheckIns.values.map(heard)).toEqual([pubKeyResult]);

        // Objectives of one batch are published in no set order: wait for each expected one.
        for (const id of [ids.priv, ids.pub]) {
          await subscribers.friendChanges.waitFor((v) => changedId(v) === id);
        }
        await subscribers.outChanges.waitFor((v) => changedId(v) === ids.pub);
        await subscribers.adminChanges.waitFor((v) => changedId(v) === ids.pub);
        await sleep(300);
        expect(subscribers.outChanges.values.map(changedId)).toEqual([ids.pub]);
        expect(subscribers.adminChanges.values.map(changedId)).toEqual([ids.pub]);
        expect(subscribers.friendChanges.values.map(changedId).sort()).toEqual(
          [ids.priv, ids.pub].sort(),
        );
        for (const s of Object.values(subscribers)) expect(s.errors).toEqual([]);
      } finally {
        for (const s of Object.values(subscribers)) await s.close();
      }
    });
  });

  describe('when the charts are drawn for someone who may not see the private objective', () => {
    const get = (p: Person, path: string) =>
      request(testApp.url)
        .get(path)
        .set('Authorization', `Bearer ${as[p].token}`)
        .buffer(true)
        .parse((res, done) => {
          let body = '';
          res.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
          res.on('end', () => done(null, body));
        });

    // The burn-up's frames are the replay's, filtered by time travel (its own specs); its last
    // frame is at the minute, before the objectives set in this minute, so it is left out here.
    it('leaves it out of the alignment chart, and its key result’s history is NOT_FOUND', async () => {
      // The live chart is as of the minute, before this minute's objectives: asked of an hour on.
      const later = new Date(Date.now() + 60 * 60 * 1000).toISOString();
      const path = `/charts/cycles/${cycleId}/alignment.svg?asOf=${later}`;
      const out = await get('out', path);
      const owner = await get('owner', path);
      expect([out.status, owner.status]).toEqual([200, 200]);
      for (const hidden of ['Get in better shape', 'Lose 5 kg']) {
        expect(String(out.body)).not.toContain(hidden);
        expect(String(owner.body)).toContain(hidden);
      }
      expect(String(out.body)).toContain('Run a marathon together');
      // Two viewers seeing different charts never share an ETag.
      expect(out.headers.etag).not.toBe(owner.headers.etag);
      const history = `/charts/key-results/${privKeyResult}/history.svg`;
      const refused = await get('out', history);
      expect(refused.status).toBe(404);
      expect(JSON.parse(String(refused.body))).toMatchObject({
        errors: [{ extensions: { code: 'NOT_FOUND' } }],
      });
      expect((await get('owner', history)).status).toBe(200);
      expect((await get('out', `/charts/key-results/${pubKeyResult}/history.svg`)).status).toBe(
        200,
      );
    });
  });

  /**
   * A visible parent with hidden children, in a cycle of its own: P PUBLIC (admin's) with a key
   * result that rolls up its aligned objectives; C PRIVATE (owner's) aligned to P; G PUBLIC
   * aligned to C; K PRIVATE (admin's) aligned to P's key result, half done. `out` sees P and G
   * only, `owner` P, C and G, the AUDITOR all four.
   */
  describe('when a visible parent has hidden children', () => {
    type Tree = 'P' | 'C' | 'G' | 'K';
    const TREE: readonly Tree[] = ['P', 'C', 'G', 'K'];
    const tree = {} as Record<Tree, string>;
    let treeCycle: string;
    let rollUp: string;
    let after: string;
    const VIEWERS = ['out', 'owner', 'aud'] as const;
    type Viewer = (typeof VIEWERS)[number];
    const CHILDREN: Record<Viewer, readonly Tree[]> = {
      out: [],
      owner: ['C'],
      aud: ['C', 'K'],
    };
    /** Objective, parent and depth of each node the viewer may see. */
    const NODES: Record<Viewer, readonly [Tree, Tree | null, number][]> = {
      out: [
        ['G', null, 0],
        ['P', null, 0],
      ],
      owner: [
        ['C', 'P', 1],
        ['G', 'C', 2],
        ['P', null, 0],
      ],
      aud: [
        ['C', 'P', 1],
        ['G', 'C', 2],
        ['K', 'P', 1],
        ['P', null, 0],
      ],
    };
    const treeName = (id: string | null): Tree | null => {
      if (id === null) return null;
      const name = TREE.find((n) => tree[n] === id);
      if (!name) throw new Error(`an objective not of the tree came back: ${id}`);
      return name;
    };

    beforeAll(async () => {
      treeCycle = (await createCycle(as.admin)).id;
      const setIn = (client: GraphqlClient, input: Record<string, unknown>) =>
        set(client, { ...input, cycleId: treeCycle });
      tree.P = await setIn(as.admin, { title: 'Ship v2', ownerId: 'admin', visibility: 'PUBLIC' });
      const addKeyResult = async (
        client: GraphqlClient,
        objectiveId: string,
        scoring: string,
      ): Promise<string> =>
        (
          await client.data<{ addKeyResult: { id: string } }>(
            `mutation ($input: AddKeyResultInput!) { addKeyResult(input: $input) { id } }`,
            {
              input: {
                objectiveId,
                title: 'Parts shipped',
                type: 'INCREASE',
                kind: 'OUTPUT',
                startValue: 0,
                targetValue: 10,
                scoring,
              },
            },
          )
        ).addKeyResult.id;
      rollUp = await addKeyResult(as.admin, tree.P, 'ALIGNED_OBJECTIVES');
      // Teamless without visibility: PRIVATE, the owner's.
      tree.C = await setIn(as.owner, { title: 'Quietly rewrite', parentObjectiveId: tree.P });
      tree.G = await setIn(as.owner, {
        title: 'Public benchmark',
        visibility: 'PUBLIC',
        parentObjectiveId: tree.C,
      });
      tree.K = await setIn(as.admin, {
        title: 'Confidential partner',
        ownerId: 'admin',
        visibility: 'PRIVATE',
        parentKeyResultId: rollUp,
      });
      const own = await addKeyResult(as.admin, tree.K, 'OWN_VALUE');
      await as.admin.data(
        `mutation ($input: CheckInKeyResultInput!) { checkInKeyResult(input: $input) { id } }`,
        { input: { keyResultId: own, value: 5 } },
      );
      await sleep(300);
      after = new Date().toISOString();
      await sleep(100);
    });

    it.each(VIEWERS)(
      'objective(P).children lists exactly the children %s may see, live, asOf and validAt',
      async (p) => {
        type Children = { children: { id: string }[] };
        const { live, asOf, validAt } = await as[p].data<
          Record<'live' | 'asOf' | 'validAt', Children>
        >(
          `query ($id: ID!, $at: DateTime) {
            live: objective(id: $id) { children { id } }
            asOf: objective(id: $id, asOf: $at) { children { id } }
            validAt: objective(id: $id, validAt: $at) { children { id } }
          }`,
          { id: tree.P, at: after },
        );
        const children = (o: Children) => o.children.map((c) => treeName(c.id)).sort();
        expect({
          live: children(live),
          asOf: children(asOf),
          validAt: children(validAt),
        }).toEqual({ live: CHILDREN[p], asOf: CHILDREN[p], validAt: CHILDREN[p] });
      },
    );

    it.each(VIEWERS)(
      'alignmentTree shows %s exactly its nodes, live, asOf and validAt; P’s progress counts the hidden child',
      async (p) => {
        type Node = {
          objective: { id: string };
          parentId: string | null;
          depth: number;
          progress: number;
        };
        const trees = await as[p].data<Record<'live' | 'asOf' | 'validAt', Node[]>>(
          `query ($cycleId: ID!, $at: DateTime) {
            live: alignmentTree(cycleId: $cycleId) { objective { id } parentId depth progress }
            asOf: alignmentTree(cycleId: $cycleId, asOf: $at) {
              objective { id } parentId depth progress }
            validAt: alignmentTree(cycleId: $cycleId, validAt: $at) {
              objective { id } parentId depth progress }
          }`,
          { cycleId: treeCycle, at: after },
        );
        for (const [read, nodes] of Object.entries(trees)) {
          const shape = nodes
            .map((n) => [treeName(n.objective.id), treeName(n.parentId), n.depth])
            .sort((a, b) => String(a[0]).localeCompare(String(b[0])));
          expect([read, shape]).toEqual([read, NODES[p]]);
          // K is half done and P's key result rolls it up, whether or not the viewer sees K.
          const parent = nodes.find((n) => n.objective.id === tree.P);
          expect([read, parent?.progress]).toEqual([read, 0.5]);
          if (p !== 'aud') expect(JSON.stringify(nodes)).not.toContain(tree.K);
          if (p === 'out') expect(JSON.stringify(nodes)).not.toContain(tree.C);
        }
      },
    );

    it.each(VIEWERS)(
      'keyResult(P’s key result) is P’s; K’s parentKeyResult only for who sees K (%s)',
      async (p) => {
        const { keyResult, aligned, grandchild } = await as[p].data(
          `query ($kr: ID!, $k: ID!, $g: ID!) {
            keyResult(id: $kr) { objective { id } progress }
            aligned: objective(id: $k) { parentKeyResult { id objective { id } } }
            grandchild: objective(id: $g) { parentObjective { id } }
          }`,
          { kr: rollUp, k: tree.K, g: tree.G },
        );
        expect(keyResult.objective).toEqual({ id: tree.P });
        expect(keyResult.progress).toBeCloseTo(0.5);
        expect(aligned).toEqual(
          p === 'aud' ? { parentKeyResult: { id: rollUp, objective: { id: tree.P } } } : null,
        );
        expect(grandchild).toEqual({ parentObjective: p === 'out' ? null : { id: tree.C } });
      },
    );
  });

  describe('when a page of 50 objectives, half of them hidden, is read', () => {
    it('costs a fixed number of SQL queries, a member one more (the team tree) than an admin', async () => {
      const { id: manyCycle } = await createCycle(as.admin);
      const created = await Promise.all(
        Array.from({ length: 50 }, (_, i) =>
          as.admin.data<{ setObjective: { id: string } }>(
            `mutation ($input: SetObjectiveInput!) { setObjective(input: $input) { id } }`,
            {
              input: {
                cycleId: manyCycle,
                title: `o${i}`,
                ownerId: 'admin',
                visibility: i % 2 === 0 ? 'PUBLIC' : 'PRIVATE',
              },
            },
          ),
        ),
      );
      for (const { setObjective } of created) await keyResultOf(as.admin, setObjective.id);
      await sleep(500);

      const dataSource = testApp.app.get(DataSource);
      const logger = dataSource.logger;
      const original = logger.logQuery.bind(logger);
      const count = async (
        p: Person,
      ): Promise<{ rows: number; queries: number; scopes: number }> => {
        let queries = 0;
        let scopes = 0;
        logger.logQuery = (query, parameters, runner) => {
          if (/read_models\./.test(query) && !/projection_checkpoints/.test(query)) queries++;
          if (/read_models\.team_members/.test(query)) scopes++;
          original(query, parameters, runner);
        };
        try {
          const { objectives } = await as[p].data(
            `query ($cycleId: ID!) { objectives(cycleId: $cycleId, first: 50) {
              edges { node { id health cycle { name } keyResults { title }
                children { id } parentObjective { id } } } } }`,
            { cycleId: manyCycle },
          );
          return { rows: (objectives.edges as unknown[]).length, queries, scopes };
        } finally {
          logger.logQuery = original;
        }
      };
      const admin = await count('admin');
      const member = await count('out');
      expect(admin.rows).toBe(50);
      expect(member.rows).toBe(25);
      // The page with its count, then one batch each for cycles, key results and children
      // (no parent to load), whatever is hidden; for the member the scope's team tree too (an
      // admin's scope reads no team).
      expect(admin.queries).toBeLessThanOrEqual(4);
      expect(member.queries).toBe(admin.queries + 1);
      // The scope is read once per request, not per objective.
      expect([admin.scopes, member.scopes]).toEqual([0, 1]);
    });
  });
});
