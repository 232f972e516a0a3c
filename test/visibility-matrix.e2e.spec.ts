import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import {
  createCycle,
  GraphqlClient,
  launch,
  liveSubscription,
  sleep,
  startTestApp,
  type TestApp,
} from '@okr-ledger/testing';

/**
 * The visibility matrix (issue #14, ADR 0017): every kind of caller × every visibility × every
 * read, now, as of an instant before the visibility changes and at that instant as a valid time
 * (ADR 0014), each cell asserting exactly which objectives come back. One app, one data set,
 * one request per caller and instant.
 *
 * Teams: Company, and Sales below it. `lead` leads Company (a parent team of Sales), `rep` is
 * a member of Sales, `out` of no team. `owner` (a MEMBER of Sales too) sets every objective:
 * - pub: PUBLIC (Sales)        - team: TEAM (Sales)
 * - priv: teamless, so PRIVATE by default; shared with `friend`
 * - child: PUBLIC (Sales), aligned under priv
 * - changed: PUBLIC (Sales) until `past`, PRIVATE since
 * - unshared: PRIVATE (Sales), shared with `friend` until `past`, unshared since
 * - opened: PRIVATE until `past`, PUBLIC since
 * Each has a key result with a check-in.
 */
type Caller = 'admin' | 'auditor' | 'owner' | 'rep' | 'lead' | 'out' | 'friend';
type Name = 'pub' | 'team' | 'priv' | 'child' | 'changed' | 'unshared' | 'opened';
const CALLERS: readonly Caller[] = ['admin', 'auditor', 'owner', 'rep', 'lead', 'out', 'friend'];
const ROLE: Record<Caller, string> = {
  admin: 'ADMIN',
  auditor: 'AUDITOR',
  owner: 'MEMBER',
  rep: 'MEMBER',
  lead: 'MEMBER',
  out: 'MEMBER',
  friend: 'MEMBER',
};
const ALL: readonly Name[] = ['pub', 'team', 'priv', 'child', 'changed', 'unshared', 'opened'];

/** What each caller may see now. */
const NOW: Record<Caller, readonly Name[]> = {
  // Every PUBLIC and TEAM objective, never another's PRIVATE one.
  admin: ['pub', 'team', 'child', 'opened'],
  auditor: ALL,
  owner: ALL,
  rep: ['pub', 'team', 'child', 'opened'],
  lead: ['pub', 'team', 'child', 'opened'],
  out: ['pub', 'child', 'opened'],
  friend: ['pub', 'priv', 'child', 'opened'],
};
/**
 * As of `past`: visible then and now. `changed` (PUBLIC then) and `unshared` (shared with
 * friend then) are hidden now, so hidden in the past too; `opened` was PRIVATE then.
 */
const PAST: Record<Caller, readonly Name[]> = {
  admin: ['pub', 'team', 'child'],
  auditor: ALL,
  owner: ALL,
  rep: ['pub', 'team', 'child'],
  lead: ['pub', 'team', 'child'],
  out: ['pub', 'child'],
  friend: ['pub', 'priv', 'child'],
};

const ORG = 'acme-matrix';

describe('Visibility matrix', () => {
  let testApp: TestApp;
  const as = {} as Record<Caller, GraphqlClient>;
  const ids = {} as Record<Name, string>;
  const keyResults = {} as Record<Name, string>;
  let cycleId: string;
  let past: string;
  let after: string;

  const nameOf = (id: string): Name => {
    const name = ALL.find((n) => ids[n] === id || keyResults[n] === id);
    if (!name) throw new Error(`an id not of the matrix came back: ${id}`);
    return name;
  };
  const names = (list: readonly string[]): Name[] => [...new Set(list.map(nameOf))].sort();
  const sorted = (list: readonly Name[]): Name[] => [...list].sort();

  async function mutate(client: GraphqlClient, name: string, input: Record<string, unknown>) {
    const type = `${name[0]?.toUpperCase()}${name.slice(1)}Input`;
    const data = await client.data<Record<string, { id: string }>>(
      `mutation ($input: ${type}!) { ${name}(input: $input) { id } }`,
      { input },
    );
    return data[name]!.id;
  }

  beforeAll(async () => {
    testApp = await startTestApp();
    for (const caller of CALLERS) {
      as[caller] = await GraphqlClient.as(testApp.url, {
        sub: caller,
        org: ORG,
        roles: [ROLE[caller]],
      });
    }
    const company = await mutate(as.admin, 'createTeam', { name: 'Company' });
    const sales = await mutate(as.admin, 'createTeam', { name: 'Sales', parentTeamId: company });
    await mutate(as.admin, 'addTeamMember', { teamId: company, personId: 'lead', lead: true });
    await mutate(as.admin, 'addTeamMember', { teamId: sales, personId: 'rep', lead: false });
    // A MEMBER sets objectives of a team only as its member.
    await mutate(as.admin, 'addTeamMember', { teamId: sales, personId: 'owner', lead: false });
    cycleId = (await createCycle(as.admin)).id;

    const set = (title: string, input: Record<string, unknown>) =>
      mutate(as.owner, 'setObjective', { cycleId, title, ...input });
    ids.pub = await set('Grow Sales', { teamId: sales, visibility: 'PUBLIC' });
    ids.team = await set('Sales hiring', { teamId: sales, visibility: 'TEAM' });
    ids.priv = await set('Get in better shape', {});
    ids.child = await set('Run the company relay', {
      teamId: sales,
      visibility: 'PUBLIC',
      parentObjectiveId: ids.priv,
    });
    ids.changed = await set('Acquire a competitor', { teamId: sales, visibility: 'PUBLIC' });
    ids.unshared = await set('Reorganise Sales', { teamId: sales, visibility: 'PRIVATE' });
    ids.opened = await set('Launch the new product', { visibility: 'PRIVATE' });
    await mutate(as.owner, 'shareObjective', { objectiveId: ids.priv, personId: 'friend' });
    await mutate(as.owner, 'shareObjective', { objectiveId: ids.unshared, personId: 'friend' });
    for (const name of ALL) {
      keyResults[name] = await mutate(as.owner, 'addKeyResult', {
        objectiveId: ids[name],
        title: `${name} key result`,
        type: 'INCREASE',
        kind: 'OUTPUT',
        startValue: 0,
        targetValue: 10,
      });
      await mutate(as.owner, 'checkInKeyResult', { keyResultId: keyResults[name], value: 5 });
    }

    await sleep(50);
    past = new Date().toISOString();
    await sleep(50);
    const change = (objectiveId: string, visibility: string) =>
      mutate(as.owner, 'changeObjectiveVisibility', {
        objectiveId,
        visibility,
        reason: 'Decided at the offsite',
      });
    await change(ids.changed, 'PRIVATE');
    await change(ids.opened, 'PUBLIC');
    await mutate(as.owner, 'unshareObjective', { objectiveId: ids.unshared, personId: 'friend' });
    await sleep(50);
    after = new Date().toISOString();
    // The audit trail is projected like every read model: wait until the last change shows.
    for (let tries = 0; ; tries++) {
      const { auditTrail } = await as.auditor.data<{ auditTrail: { totalCount: number } }>(
        `query ($id: ID!) { auditTrail(filter: { aggregateId: $id }) { totalCount } }`,
        { id: ids.unshared },
      );
      if (auditTrail.totalCount >= 3 || tries > 50) break;
      await sleep(100);
    }
  });
  afterAll(async () => {
    await testApp.close();
  });

  type Listing = { totalCount: number; edges: { node: { id: string } }[] };
  const listed = (l: unknown) => (l as Listing).edges.map((e) => e.node.id);
  type Node = { parentId: string | null; depth: number; objective: { id: string } };
  type Entry = {
    node: {
      aggregateId: string;
      eventType: string;
      changes?: { field: string; to: string | null }[];
    };
  };

  /** Everything a caller reads now, in one request (objective and keyResult by each id). */
  async function readNow(caller: Caller) {
    const byId = ALL.map(
      (n) => `o_${n}: objective(id: "${ids[n]}") { id visibility }
              k_${n}: keyResult(id: "${keyResults[n]}") { id objective { id } }`,
    ).join('\n');
    return as[caller].data(
      `query ($cycleId: ID!, $past: DateTime!, $after: DateTime!) {
        ${byId}
        objectives(cycleId: $cycleId, first: 100) { totalCount edges { node { id } } }
        cycle(id: $cycleId) { objectives(first: 100) { totalCount edges { node { id } } } }
        alignmentTree(cycleId: $cycleId) { parentId depth objective { id } }
        auditTrail(filter: { cycleId: $cycleId }, first: 100) {
          totalCount edges { node { aggregateId eventType changes { field to } } }
        }
        cycleReplay(cycleId: $cycleId, from: $past, to: $after, every: DAY) {
          at objectives { objectiveId keyResults { keyResultId } }
        }
      }`,
      { cycleId, past, after },
    );
  }

  /** Everything a caller reads as of `past`, in one request. */
  async function readPast(caller: Caller) {
    const byId = ALL.map(
      (n) => `o_${n}: objective(id: "${ids[n]}", asOf: $past) { id }
              k_${n}: keyResult(id: "${keyResults[n]}", asOf: $past) { id }`,
    ).join('\n');
    return as[caller].data(
      `query ($cycleId: ID!, $past: DateTime!) {
        ${byId}
        pubAsOf: objective(id: "${ids.pub}", asOf: $past) {
          cycle { objectives(first: 100) { edges { node { id } } } }
        }
        childAsOf: objective(id: "${ids.child}", asOf: $past) { parentObjective { id } }
        alignmentTree(cycleId: $cycleId, asOf: $past) { parentId depth objective { id } }
        auditTrail(filter: { cycleId: $cycleId, to: $past }, first: 100) {
          totalCount edges { node { aggregateId eventType } }
        }
      }`,
      { cycleId, past },
    );
  }

  /**
   * Everything a caller reads at the valid time `past`, as known now (ADR 0014), and one
   * combined time point (known at `after` about `past`), in one request. Visibility is by
   * recorded time, so both answer what the as-of column answers for `past`.
   */
  async function readValid(caller: Caller) {
    const byId = ALL.map(
      (n) => `o_${n}: objective(id: "${ids[n]}", validAt: $past) {
                id children { id } keyResults { id objective { id } }
              }
              k_${n}: keyResult(id: "${keyResults[n]}", validAt: $past) { id objective { id } }
              c_${n}: objective(id: "${ids[n]}", asOf: $after, validAt: $past) { id }
              ck_${n}: keyResult(id: "${keyResults[n]}", asOf: $after, validAt: $past) { id }`,
    ).join('\n');
    return as[caller].data(
      `query ($cycleId: ID!, $past: DateTime!, $after: DateTime!) {
        ${byId}
        pubValid: objective(id: "${ids.pub}", validAt: $past) {
          cycle { objectives(first: 100) { totalCount edges { node { id } } } }
        }
        childValid: objective(id: "${ids.child}", validAt: $past) { parentObjective { id } }
        alignmentTree(cycleId: $cycleId, validAt: $past) { parentId depth objective { id } }
        combinedTree: alignmentTree(cycleId: $cycleId, asOf: $after, validAt: $past) {
          parentId depth objective { id }
        }
        cycleReplay(cycleId: $cycleId, from: $past, to: $after, every: DAY, validAt: $past) {
          at objectives { objectiveId keyResults { keyResultId } }
        }
      }`,
      { cycleId, past, after },
    );
  }

  const present = (data: Record<string, unknown>, prefix: string): Name[] =>
    sorted(ALL.filter((n) => data[`${prefix}${n}`] !== null));
  /** The objective each entry is about (an objective's or its key result's), by name. */
  const auditedObjectives = (edges: readonly Entry[]): Name[] =>
    names(
      edges
        .map((e) => e.node.aggregateId)
        .filter((id) => ALL.some((n) => ids[n] === id || keyResults[n] === id)),
    );
  const eventsOf = (edges: readonly Entry[], name: Name): string[] =>
    edges
      .filter((e) => e.node.aggregateId === ids[name] || e.node.aggregateId === keyResults[name])
      .map((e) => e.node.eventType);

  describe.each(CALLERS)('as %s', (caller) => {
    const now = sorted(NOW[caller]);
    const then = sorted(PAST[caller]);
    const seesPrivateParent = NOW[caller].includes('priv');

    describe('when reading now', () => {
      // eslint-disable-next-line @typescript-eslint/no-explicit-any
      let data: Record<string, any>;
      beforeAll(async () => {
        data = await readNow(caller);
      });

      it('objective(id) and keyResult(id) answer exactly the visible ones, the others null', () => {
        expect(present(data, 'o_')).toEqual(now);
        expect(present(data, 'k_')).toEqual(now);
        for (const n of now) expect(data[`k_${n}`].objective.id).toBe(ids[n]);
      });

      it('objectives and cycle.objectives list exactly them, with matching totals', () => {
        expect(names(listed(data.objectives))).toEqual(now);
        expect(data.objectives.totalCount).toBe(now.length);
        expect(names(listed(data.cycle.objectives))).toEqual(now);
        expect(data.cycle.objectives.totalCount).toBe(now.length);
      });

      it('alignmentTree holds them; the child of a hidden parent is a root', () => {
        const tree = data.alignmentTree as Node[];
        expect(names(tree.map((n) => n.objective.id))).toEqual(now);
        const child = tree.find((n) => n.objective.id === ids.child);
        expect(child).toMatchObject(
          seesPrivateParent ? { parentId: ids.priv, depth: 1 } : { parentId: null, depth: 0 },
        );
      });

      it('auditTrail shows the changes of exactly them, as each change left them', () => {
        const edges = data.auditTrail.edges as Entry[];
        expect(data.auditTrail.totalCount).toBe(edges.length);
        expect(auditedObjectives(edges)).toEqual(now);
        // Cycle and team entries are about no objective: shown to everyone.
        expect(edges.some((e) => e.node.eventType === 'CycleStarted')).toBe(true);
        // The child's setting names its parent only to those who may see the parent.
        const childSet = edges.find(
          (e) => e.node.aggregateId === ids.child && e.node.eventType === 'ObjectiveSet',
        );
        expect(childSet?.node.changes).toContainEqual({
          field: 'parentObjective',
          to: seesPrivateParent ? JSON.stringify(ids.priv) : null,
        });
        // Opened was PRIVATE until its change: only the change and what follows show to
        // those who do not see it as PRIVATE.
        expect(eventsOf(edges, 'opened')).toEqual(
          PAST[caller].includes('opened')
            ? ['ObjectiveSet', 'KeyResultAdded', 'KeyResultCheckedIn', 'ObjectiveVisibilityChanged']
            : ['ObjectiveVisibilityChanged'],
        );
      });

      it('cycleReplay frames hold them at each instant, as of then and now', () => {
        type Frame = {
          objectives: { objectiveId: string; keyResults: { keyResultId: string }[] }[];
        };
        const frames = data.cycleReplay as Frame[];
        expect(frames).toHaveLength(2);
        const [first, last] = frames as [Frame, Frame];
        expect(names(first.objectives.map((o) => o.objectiveId))).toEqual(then);
        expect(names(last.objectives.map((o) => o.objectiveId))).toEqual(now);
        expect(
          names(last.objectives.flatMap((o) => o.keyResults.map((k) => k.keyResultId))),
        ).toEqual(now);
      });

      if (caller === 'owner') {
        it('Objective.visibility reads as set and changed', () => {
          const visibility = Object.fromEntries(ALL.map((n) => [n, data[`o_${n}`].visibility]));
          expect(visibility).toEqual({
            pub: 'PUBLIC',
            team: 'TEAM',
            priv: 'PRIVATE',
            child: 'PUBLIC',
            changed: 'PRIVATE',
            unshared: 'PRIVATE',
            opened: 'PUBLIC',
          });
        });
      }
    });

    describe('when reading as of the instant before the changes', () => {
      // eslint-disable-next-line @typescript-eslint/no-explicit-any
      let data: Record<string, any>;
      beforeAll(async () => {
        data = await readPast(caller);
      });

      it('objective(id, asOf) and keyResult(id, asOf) answer exactly the ones visible then and now', () => {
        expect(present(data, 'o_')).toEqual(then);
        expect(present(data, 'k_')).toEqual(then);
      });

      it('the as-of cycle’s objectives and alignmentTree(asOf) hold exactly them', () => {
        expect(names(listed(data.pubAsOf.cycle.objectives))).toEqual(then);
        const tree = data.alignmentTree as Node[];
        expect(names(tree.map((n) => n.objective.id))).toEqual(then);
        expect(tree.find((n) => n.objective.id === ids.child)?.parentId).toBe(
          seesPrivateParent ? ids.priv : null,
        );
        expect(data.childAsOf.parentObjective).toEqual(seesPrivateParent ? { id: ids.priv } : null);
      });

      it('auditTrail up to that instant shows the changes of exactly them', () => {
        expect(auditedObjectives(data.auditTrail.edges as Entry[])).toEqual(then);
      });
    });

    describe('when reading at a valid time before the changes', () => {
      // eslint-disable-next-line @typescript-eslint/no-explicit-any
      let data: Record<string, any>;
      beforeAll(async () => {
        data = await readValid(caller);
      });

      it('objective(id, validAt) and keyResult(id, validAt) answer exactly the as-of ones', () => {
        expect(present(data, 'o_')).toEqual(then);
        expect(present(data, 'k_')).toEqual(then);
      });

      it('their nested objectives, key results and children leave the hidden ones out', () => {
        for (const n of then) {
          expect({ n, objective: data[`k_${n}`].objective }).toEqual({
            n,
            objective: { id: ids[n] },
          });
          expect({ n, keyResults: data[`o_${n}`].keyResults }).toEqual({
            n,
            keyResults: [{ id: keyResults[n], objective: { id: ids[n] } }],
          });
          // Only priv has a child, and child is visible to everyone.
          expect({ n, children: data[`o_${n}`].children }).toEqual({
            n,
            children: n === 'priv' ? [{ id: ids.child }] : [],
          });
        }
        expect(data.childValid.parentObjective).toEqual(
          seesPrivateParent ? { id: ids.priv } : null,
        );
        const objectives = data.pubValid.cycle.objectives;
        expect(names(listed(objectives))).toEqual(then);
        expect(objectives.totalCount).toBe(then.length);
      });

      it('alignmentTree(validAt) holds exactly them; the child of a hidden parent is a root', () => {
        const tree = data.alignmentTree as Node[];
        expect(names(tree.map((n) => n.objective.id))).toEqual(then);
        expect(tree.find((n) => n.objective.id === ids.child)).toMatchObject(
          seesPrivateParent ? { parentId: ids.priv, depth: 1 } : { parentId: null, depth: 0 },
        );
      });

      it('cycleReplay(validAt) frames hold exactly them at every instant', () => {
        type Frame = {
          objectives: { objectiveId: string; keyResults: { keyResultId: string }[] }[];
        };
        const frames = data.cycleReplay as Frame[];
        expect(frames).toHaveLength(2);
        for (const frame of frames) {
          expect(names(frame.objectives.map((o) => o.objectiveId))).toEqual(then);
          expect(
            names(frame.objectives.flatMap((o) => o.keyResults.map((k) => k.keyResultId))),
          ).toEqual(then);
        }
      });

      it('asOf after the changes with validAt before them answers exactly the as-of ones', () => {
        expect(present(data, 'c_')).toEqual(then);
        expect(present(data, 'ck_')).toEqual(then);
        const tree = data.combinedTree as Node[];
        expect(names(tree.map((n) => n.objective.id))).toEqual(then);
      });
    });
  });

  describe('when check-ins are recorded while everyone is subscribed', () => {
    it('delivers to each caller exactly the check-ins of the objectives it may see', async () => {
      const query = `subscription ($cycleId: ID!) { keyResultCheckedIn(cycleId: $cycleId) { keyResultId value } }`;
      const subscriptions = await Promise.all(
        CALLERS.map((c) => liveSubscription(testApp.url, as[c].token, query, { cycleId })),
      );
      type Payload = { data?: { keyResultCheckedIn?: { keyResultId: string; value: number } } };
      try {
        // Every key result, then pub's again: whoever hears the last has been sent the others.
        for (const name of ALL) {
          await mutate(as.owner, 'checkInKeyResult', { keyResultId: keyResults[name], value: 7 });
        }
        await mutate(as.owner, 'checkInKeyResult', { keyResultId: keyResults.pub, value: 8 });
        for (const [i, caller] of CALLERS.entries()) {
          const subscription = subscriptions[i]!;
          await subscription.waitFor(
            (v: Payload) =>
              v.data?.keyResultCheckedIn?.keyResultId === keyResults.pub &&
              v.data.keyResultCheckedIn.value === 8,
          );
          const heard = (subscription.values as Payload[]).flatMap((v) =>
            v.data?.keyResultCheckedIn ? [v.data.keyResultCheckedIn.keyResultId] : [],
          );
          expect({ caller, heard: names(heard) }).toEqual({ caller, heard: sorted(NOW[caller]) });
          expect(subscription.errors).toEqual([]);
        }
      } finally {
        await Promise.all(subscriptions.map((s) => s.close()));
      }
    });
  });

  describe('when someone asks the ledger to prove a hidden event', () => {
    it('proves its inclusion to anyone: a position and hashes, nothing of what it says', async () => {
      await as.admin.data('mutation { takeLedgerCheckpoint { size } }');
      const { auditTrail } = await as.auditor.data<{
        auditTrail: { edges: { node: { position: string } }[] };
      }>(
        `query ($id: ID!) { auditTrail(filter: { aggregateId: $id }) { edges { node { position } } } }`,
        {
          id: ids.priv,
        },
      );
      const position = auditTrail.edges[0]?.node.position;
      const { ledgerInclusionProof } = await as.out.data<{
        ledgerInclusionProof: Record<string, unknown>;
      }>(
        `query ($position: String!) { ledgerInclusionProof(position: $position) {
          position leafHash leafIndex treeSize hashes } }`,
        { position },
      );
      expect(Object.keys(ledgerInclusionProof).sort()).toEqual(
        ['hashes', 'leafHash', 'leafIndex', 'position', 'treeSize'].sort(),
      );
      expect(ledgerInclusionProof.leafHash).toMatch(/^[0-9a-f]{64}$/);
      expect(JSON.stringify(ledgerInclusionProof)).not.toContain(ids.priv);
    });
  });

  describe('when the operator exports the organisation’s evidence bundle', () => {
    it('holds the whole log, private objectives included, and verifies', async () => {
      const dir = await mkdtemp(join(tmpdir(), 'okr-matrix-'));
      try {
        const okr = async (args: string[]) => {
          const run = launch(
            'apps/projector/src/okr.cli.ts',
            { DATABASE_URL: testApp.database.url },
            args,
          );
          return { code: await run.exited, output: run.output() };
        };
        const exported = await okr(['export', '--org', ORG, '--cycle', cycleId, '--out', dir]);
        expect(exported).toMatchObject({ code: 0 });
        const events = await readFile(join(dir, 'events.ndjson'), 'utf8');
        const csv = await readFile(join(dir, 'audit-trail.csv'), 'utf8');
        for (const name of ALL) {
          expect(events).toContain(ids[name]);
          expect(csv).toContain(ids[name]);
        }
        expect(await okr(['verify', dir])).toMatchObject({ code: 0 });
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    });
  });

  describe('when the operator exports the bundle for one person (--as)', () => {
    const okr = async (args: string[]) => {
      const run = launch(
        'apps/projector/src/okr.cli.ts',
        { DATABASE_URL: testApp.database.url },
        args,
      );
      return { code: await run.exited, output: run.output() };
    };
    const TITLES: Record<Name, string> = {
      pub: 'Grow Sales',
      team: 'Sales hiring',
      priv: 'Get in better shape',
      child: 'Run the company relay',
      changed: 'Acquire a competitor',
      unshared: 'Reorganise Sales',
      opened: 'Launch the new product',
    };

    it.each<[Caller, string]>([
      ['out', 'MEMBER'],
      ['friend', 'MEMBER'],
      ['owner', 'MEMBER'],
    ])('shows %s only what it may see, redacts the rest and verifies', async (caller, role) => {
      const dir = await mkdtemp(join(tmpdir(), 'okr-matrix-as-'));
      try {
        const exported = await okr([
          'export',
          '--org',
          ORG,
          '--as',
          caller,
          '--role',
          role,
          '--out',
          dir,
        ]);
        expect(exported).toMatchObject({ code: 0 });
        const events = await readFile(join(dir, 'events.ndjson'), 'utf8');
        const csv = await readFile(join(dir, 'audit-trail.csv'), 'utf8');
        for (const name of ALL) {
          const seen = NOW[caller].includes(name);
          // Its title is in its ObjectiveSet, shown only if visible when set and now: opened was
          // PRIVATE then, priv not yet shared with friend.
          const setVisibly =
            PAST[caller].includes(name) && !(caller === 'friend' && name === 'priv');
          expect({ name, title: events.includes(TITLES[name]) }).toEqual({
            name,
            title: setVisibly,
          });
          // Its key result's events: shown when the objective was visible then (before the
          // changes) and now, never when it is hidden now (opened's later check-ins may show).
          if (PAST[caller].includes(name) || !seen) {
            expect({ name, keyResult: events.includes(keyResults[name]) }).toEqual({
              name,
              keyResult: seen,
            });
          }
          // Audit rows: those of what it sees; a hidden parent is not named (child's setting).
          expect({ name, audited: csv.includes(ids[name]) }).toEqual({ name, audited: seen });
        }
        expect(events.includes('"redacted":true')).toBe(caller !== 'owner');
        const verified = await okr(['verify', dir]);
        expect(verified.code).toBe(0);
        expect(verified.output).toContain(`redacted for ${caller} (${role})`);
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    });
  });

  describe('when an event of a private objective’s key result is tampered with', () => {
    const INTEGRITY = `{ ledgerIntegrity { checkedEvents hiddenProblems
      problems { aggregateType aggregateId version problem } } }`;
    beforeAll(async () => {
      const superuser = new Client({ connectionString: testApp.database.url });
      await superuser.connect();
      try {
        await superuser.query('BEGIN');
        await superuser.query(
          'ALTER TABLE event_store.events DISABLE TRIGGER events_are_immutable',
        );
        await superuser.query(
          `UPDATE event_store.events SET data = jsonb_set(data, '{plan}', '"rewritten"')
            WHERE stream_name = $1 AND revision = 1`,
          [`key-result-${keyResults.priv}`],
        );
        await superuser.query('ALTER TABLE event_store.events ENABLE TRIGGER events_are_immutable');
        await superuser.query('COMMIT');
      } finally {
        await superuser.end();
      }
    });

    it.each(CALLERS)(
      'ledgerIntegrity tells %s, and names it only to who sees it',
      async (caller) => {
        const { ledgerIntegrity } = await as[caller].data(INTEGRITY);
        const named = NOW[caller].includes('priv');
        expect(ledgerIntegrity).toMatchObject({
          hiddenProblems: named ? 0 : 1,
          problems: named
            ? [
                {
                  aggregateType: 'KeyResult',
                  aggregateId: keyResults.priv,
                  version: 2,
                  problem: 'content does not match its hash',
                },
              ]
            : [],
        });
        // The whole log is checked for everyone: the same count of events.
        const { ledgerIntegrity: audited } = await as.auditor.data(INTEGRITY);
        expect(ledgerIntegrity.checkedEvents).toBe(audited.checkedEvents);
      },
    );
  });
});
