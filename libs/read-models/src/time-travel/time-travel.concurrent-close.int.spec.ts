import type { Actor } from '@okr-ledger/commands';
// Before the harness: loading it first runs into an import cycle through the API's inputs.
import { TimeTravel } from './index';
import { OkrCommands } from '@okr-ledger/commands';
import {
  createPostgresEventStore,
  maxPosition,
  type PostgresEventStore,
} from '@okr-ledger/event-store';
import type { Projector } from '../projector/projector';
import { createHarness, type Harness } from '../testing/read-models-harness';

const ana: Actor = { tenantId: 'acme', actorId: 'ana' };
const DAY_MS = 24 * 60 * 60 * 1000;
const round = (n: number | undefined): number | undefined =>
  n === undefined ? undefined : Math.round(n * 1e12) / 1e12;
const increase = { type: 'INCREASE', kind: 'OUTCOME', startValue: 0, targetValue: 100 } as const;

interface Scores {
  keyResult?: number;
  objective?: number;
  cycle?: number;
}

/**
 * One order for time (ADR 0005): live projections fold the log in global order, and so does
 * time travel, choosing events by recorded time only. So a cycle closed while other cycles'
 * check-ins are being appended from several connections freezes at the same scores live, as
 * of now and in the replay's last frame, whichever check-ins the log put before the close.
 */
describe('A cycle closed while check-ins of a cycle rolling up into it are appended', () => {
  let h: Harness;
  let commands: OkrCommands;
  let projector: Projector;
  let last = '';
  const step = <R extends { position?: string | null }>(result: R): R => {
    if (result.position) last = maxPosition(last || result.position, result.position);
    return result;
  };
  const ids = { q3: '', q4: '', grow: '', rolled: '', own: '', next: '' };
  const pipelines: string[] = [];

  const live = async (): Promise<Scores> => {
    expect(await projector.waitForPosition(last, 30_000)).toBe(true);
    const [keyResult] = await h.readModels.keyResults.byIds(ana.tenantId, [ids.rolled]);
    const [objective] = await h.readModels.objectives.byIds(ana.tenantId, [ids.grow]);
    const cycle = (await h.readModels.cycles.all(ana.tenantId)).find((c) => c.id === ids.q3);
    return {
      keyResult: keyResult?.progress,
      objective: objective?.progress,
      cycle: cycle?.progress,
    };
  };
  const asOf = async (store: PostgresEventStore, instant: Date): Promise<Scores> => {
    const queries = new TimeTravel(store).queriesAsOf(ana.tenantId, instant);
    const [keyResult] = await queries.keyResults.byIds(ana.tenantId, [ids.rolled]);
    const [objective] = await queries.objectives.byIds(ana.tenantId, [ids.grow]);
    const [cycle] = await queries.cycles.byIds(ana.tenantId, [ids.q3]);
    return {
      keyResult: keyResult?.progress,
      objective: objective?.progress,
      cycle: cycle?.progress,
    };
  };
  /** The last recorded time of the tenant's log: "now" for time travel, exactly. */
  const lastRecorded = async (store: PostgresEventStore): Promise<Date> => {
    let latest = new Date(0);
    let after: string | undefined;
    for (;;) {
      const page = await store.readAll({ after, metadata: { tenantId: ana.tenantId } });
      for (const e of page.events) if (e.recordedAt > latest) latest = e.recordedAt;
      if (page.isEnd) return latest;
      after = page.checkpoint;
    }
  };
  const rounded = (s: Scores) => [round(s.keyResult), round(s.objective), round(s.cycle)];

  beforeAll(async () => {
    h = await createHarness('concurrent_close');
    commands = h.commands;
    projector = h.newProjector();
    await projector.start();
    const startsAt = new Date(Date.now() - 30 * DAY_MS).toISOString();
    const endsAt = new Date(Date.now() + 60 * DAY_MS).toISOString();
    ids.q3 = step(await commands.cycles.schedule(ana, { name: 'Q3', startsAt, endsAt })).id;
    ids.q4 = step(await commands.cycles.schedule(ana, { name: 'Q4', startsAt, endsAt })).id;
    ids.grow = step(await commands.objectives.set(ana, { cycleId: ids.q3, title: 'Grow' })).id;
    ids.rolled = step(
      await commands.keyResults.add(ana, {
        ...increase,
        objectiveId: ids.grow,
        title: 'Teams deliver',
        scoring: 'ALIGNED_OBJECTIVES',
      }),
    ).id;
    ids.own = step(
      await commands.keyResults.add(ana, { ...increase, objectiveId: ids.grow, title: 'Own' }),
    ).id;
    // Q4's objective rolls up into Q3's key result: its check-ins move Q3 until Q3 closes.
    ids.next = step(
      await commands.objectives.set(ana, {
        cycleId: ids.q4,
        title: 'Next',
        parentKeyResultId: ids.rolled,
      }),
    ).id;
    for (let i = 0; i < 6; i++) {
      pipelines.push(
        step(
          await commands.keyResults.add(ana, {
            ...increase,
            objectiveId: ids.next,
            title: `Pipeline ${i}`,
          }),
        ).id,
      );
    }
    step(await commands.cycles.start(ana, { cycleId: ids.q3 }));
    step(await commands.cycles.start(ana, { cycleId: ids.q4 }));
  });
  afterAll(async () => {
    await h.close();
  });

  it('freezes the same scores live, as of now and in the replay, and they stay frozen', async () => {
    // Six writers (one per key result, so none waits on another's stream) check in 8 times
    // each; Q3 closes once a third of them are in, while the rest keep coming.
    let done = 0;
    let closeStarted!: () => void;
    const thirdDone = new Promise<void>((resolve) => (closeStarted = resolve));
    const writers = pipelines.map(async (keyResultId, w) => {
      for (let n = 1; n <= 8; n++) {
        step(await commands.keyResults.checkIn(ana, { keyResultId, value: n * 10 + w }));
        if (++done === 16) closeStarted();
      }
    });
    const ownWriter = (async () => {
      // Q3's own key result: refused once the close is in (CYCLE_CLOSED), as it should be.
      for (let n = 1; n <= 8; n++) {
        try {
          step(await commands.keyResults.checkIn(ana, { keyResultId: ids.own, value: n * 5 }));
        } catch (error) {
          if ((error as { rule?: string }).rule !== 'CYCLE_CLOSED') throw error;
          return;
        }
      }
    })();
    const closer = (async () => {
      await thirdDone;
      step(await commands.cycles.close(ana, { cycleId: ids.q3 }));
    })();
    await Promise.all([...writers, ownWriter, closer]);

    const frozen = await live();
    const now = await lastRecorded(h.store);
    const asOfNow = await asOf(h.store, now);
    const frames = await new TimeTravel(h.store).cycleReplay(ana.tenantId, ids.q3, {
      from: new Date(now.getTime() - DAY_MS),
      to: now,
      every: 'DAY',
    });
    const lastFrame = frames[frames.length - 1];
    const replayed = lastFrame?.objectives.find((o) => o.objectiveId === ids.grow);
    const replayScores: Scores = {
      keyResult: replayed?.keyResults.find((k) => k.keyResultId === ids.rolled)?.progress,
      objective: replayed?.progress,
      cycle: lastFrame?.progress,
    };
    expect(frozen.keyResult).toBeDefined();
    expect(rounded(asOfNow)).toEqual(rounded(frozen));
    expect(rounded(replayScores)).toEqual(rounded(frozen));

    // After the close, Q4 moves on and Q3 does not.
    for (const keyResultId of pipelines) {
      step(await commands.keyResults.checkIn(ana, { keyResultId, value: 100 }));
    }
    expect(rounded(await live())).toEqual(rounded(frozen));
    const [next] = await h.readModels.objectives.byIds(ana.tenantId, [ids.next]);
    expect(next?.progress).toBeCloseTo(1, 12);
    expect(round(frozen.keyResult)).not.toBe(1);
    expect(rounded(await asOf(h.store, await lastRecorded(h.store)))).toEqual(rounded(frozen));
  });

  describe('when a check-in is logged after the close but recorded before it', () => {
    let simulated: PostgresEventStore;
    afterAll(async () => {
      await simulated.close();
    });

    it('leaves it out of the frozen scores everywhere, as the log orders it', async () => {
      // A trusted simulated clock can record a time earlier than the close on another stream
      // (only its own stream's times are kept from going back): the log still decides.
      const latest = await lastRecorded(h.store);
      let now = new Date(latest.getTime() + 60_000);
      simulated = await createPostgresEventStore(h.database.url, { simulatedClock: () => now });
      const later = new OkrCommands(simulated);
      const q5 = step(
        await later.cycles.schedule(ana, {
          name: 'Q5',
          startsAt: new Date(latest.getTime() - 30 * DAY_MS).toISOString(),
          endsAt: new Date(latest.getTime() + 60 * DAY_MS).toISOString(),
        }),
      ).id;
      const top = step(await later.objectives.set(ana, { cycleId: q5, title: 'Top' })).id;
      const rolled = step(
        await later.keyResults.add(ana, {
          ...increase,
          objectiveId: top,
          title: 'Rolled',
          scoring: 'ALIGNED_OBJECTIVES',
        }),
      ).id;
      const below = step(
        await later.objectives.set(ana, {
          cycleId: ids.q4,
          title: 'Below',
          parentKeyResultId: rolled,
        }),
      ).id;
      const kr = step(
        await later.keyResults.add(ana, { ...increase, objectiveId: below, title: 'Below KR' }),
      ).id;
      step(await later.cycles.start(ana, { cycleId: q5 }));
      step(await later.keyResults.checkIn(ana, { keyResultId: kr, value: 30 }));
      now = new Date(latest.getTime() + 10 * 60_000);
      step(await later.cycles.close(ana, { cycleId: q5 }));
      // Appended after the close, recorded five minutes before it.
      now = new Date(latest.getTime() + 5 * 60_000);
      step(await later.keyResults.checkIn(ana, { keyResultId: kr, value: 90 }));
      const events = (await simulated.readStream(`key-result-${kr}`)).slice(-1);
      expect(events[0]?.recordedAt.getTime()).toBe(now.getTime());

      expect(await projector.waitForPosition(last, 30_000)).toBe(true);
      const [liveKr] = await h.readModels.keyResults.byIds(ana.tenantId, [rolled]);
      expect(liveKr?.progress).toBeCloseTo(0.3, 12);
      const end = new Date(latest.getTime() + 20 * 60_000);
      const [asOfKr] = await new TimeTravel(simulated)
        .queriesAsOf(ana.tenantId, end)
        .keyResults.byIds(ana.tenantId, [rolled]);
      expect(asOfKr?.progress).toBeCloseTo(0.3, 12);
      const frames = await new TimeTravel(simulated).cycleReplay(ana.tenantId, q5, {
        from: new Date(latest.getTime() + 6 * 60_000),
        to: end,
        every: 'DAY',
      });
      // From 6 minutes on (the late check-in already recorded, the close not yet): 0.9; then
      // the close, which the log puts before the late check-in: 0.3 again.
      expect(frames.map((f) => round(f.progress))).toEqual([0.9, 0.3]);
    });
  });
});
