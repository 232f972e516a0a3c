import { GraphqlClient, startTestApp, type TestApp } from '@okr-ledger/testing';
import type { DemoSummary } from '../apps/api/src/demo/demo-quarter.loader';
import { demoId, DEMO_TENANT, loadDemoInto } from './support/demo-quarter';

/**
 * The demo's personal objective over GraphQL (issue #14): PRIVATE to finn, so absent for
 * everyone else in every live read, every as-of answer and every replay frame; an AUDITOR
 * sees it (auditors see private objectives, README).
 */
describe('The demo quarter’s personal objective', () => {
  let testApp: TestApp;
  let summary: DemoSummary;
  let betterShape: string;
  let runs: string;
  const client = (sub: string, role: string) =>
    GraphqlClient.as(testApp.url, { sub, org: DEMO_TENANT, roles: [role] });

  beforeAll(async () => {
    testApp = await startTestApp();
    summary = await loadDemoInto(testApp);
    betterShape = demoId(`${summary.quarter.name}:objective:better-shape`);
    runs = demoId(`${summary.quarter.name}:key-result:runs-per-week`);
  }, 120_000);
  afterAll(async () => {
    await testApp.close();
  });

  /** Whether each read shows the personal objective to this caller, live and as of `asOf`. */
  async function sightings(caller: GraphqlClient, asOf: string) {
    const data = await caller.data(
      `query ($cycleId: ID!, $id: ID!, $kr: ID!, $asOf: DateTime!) {
        objective(id: $id) { id }
        keyResult(id: $kr) { id }
        objectives(cycleId: $cycleId, first: 50) { edges { node { id } } }
        alignmentTree(cycleId: $cycleId) { objective { id } }
        auditTrail(filter: { aggregateId: $id }) { totalCount }
        krAudit: auditTrail(filter: { aggregateId: $kr }) { totalCount }
        asOf: objective(id: $id, asOf: $asOf) { id }
        krAsOf: keyResult(id: $kr, asOf: $asOf) { id }
        treeAsOf: alignmentTree(cycleId: $cycleId, asOf: $asOf) { objective { id } }
        cycleReplay(cycleId: $cycleId, every: WEEK) { objectives { objectiveId } }
      }`,
      { cycleId: summary.cycleId, id: betterShape, kr: runs, asOf },
    );
    type Ids = { objective: { id: string } }[];
    return {
      objective: data.objective !== null,
      keyResult: data.keyResult !== null,
      objectives: (data.objectives.edges as { node: { id: string } }[]).some(
        (e) => e.node.id === betterShape,
      ),
      alignmentTree: (data.alignmentTree as Ids).some((n) => n.objective.id === betterShape),
      auditTrail: (data.auditTrail.totalCount as number) + (data.krAudit.totalCount as number) > 0,
      asOf: data.asOf !== null,
      keyResultAsOf: data.krAsOf !== null,
      alignmentTreeAsOf: (data.treeAsOf as Ids).some((n) => n.objective.id === betterShape),
      replayFrames: (data.cycleReplay as { objectives: { objectiveId: string }[] }[]).map((f) =>
        f.objectives.some((o) => o.objectiveId === betterShape),
      ),
    };
  }

  const midQuarter = () =>
    new Date(summary.quarter.startsAt.getTime() + 45 * 24 * 60 * 60 * 1000).toISOString();
  const everywhere = (seen: boolean, frames: number) => ({
    objective: seen,
    keyResult: seen,
    objectives: seen,
    alignmentTree: seen,
    auditTrail: seen,
    asOf: seen,
    keyResultAsOf: seen,
    alignmentTreeAsOf: seen,
    replayFrames: new Array<boolean>(frames).fill(seen),
  });

  it.each([
    ['ana', 'ADMIN'],
    ['ben', 'MEMBER'],
    ['eva', 'MEMBER'],
    ['cleo', 'MEMBER'],
    ['zoe', 'MEMBER'],
  ])('is nowhere for %s (%s): live, as of mid-quarter, in the replay', async (sub, role) => {
    const seen = await sightings(await client(sub, role), midQuarter());
    expect(seen).toEqual(everywhere(false, seen.replayFrames.length));
    expect(seen.replayFrames.length).toBeGreaterThanOrEqual(14);
  });

  it.each([
    ['finn', 'MEMBER'],
    ['audrey', 'AUDITOR'],
  ])('is everywhere for %s (%s)', async (sub, role) => {
    const seen = await sightings(await client(sub, role), midQuarter());
    // The first frame is at the cycle's start: the objective was set the day before.
    expect(seen).toEqual(everywhere(true, seen.replayFrames.length));
  });
});
