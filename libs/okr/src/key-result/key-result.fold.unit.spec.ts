import fc from 'fast-check';
import { DomainRuleViolation } from '../okr.errors';
import { OKR_UPCASTS } from '../okr.upcasts';
import { keyResultDecider, type KeyResultCommand } from './key-result.decide';
import { SourceInstants, type SourceMeasurement } from './key-result.state';
import type { KeyResultEvent } from './key-result.events';

const keyResultId = 'd0000000-0000-4000-8000-000000000001';
const objective = { objectiveId: 'o', cycleId: 'c', status: 'ACTIVE' as const };
const value = fc.double({ noNaN: true, noDefaultInfinity: true });
const title = fc.string({ minLength: 1, maxLength: 8 }).filter((t) => t.trim() === t && t !== '');
// Includes names like __proto__ so the idempotency bookkeeping is tested against them.
const key = fc.option(fc.constantFrom('a', 'b', '__proto__', 'constructor'), { nil: null });
// A few days so that late values and values for the same instant both occur often.
const day = fc.integer({ min: 1, max: 5 });
const NOW = '2026-07-31T00:00:00.000Z';

const command = fc.oneof(
  fc
    .record({
      value,
      key,
      day,
      confidence: fc.option(fc.double({ min: 0, max: 1, noNaN: true })),
    })
    .map(({ value, key, day, confidence }) => ({
      kind: 'checkIn' as const,
      value,
      key,
      confidence,
      measuredAt: `2026-07-0${day}T00:00:00.000Z`,
    })),
  title.map((t) => ({ kind: 'retitle' as const, title: t })),
);

describe('keyResultDecider', () => {
  describe('when a random sequence of valid commands is decided and folded', () => {
    it('gives the state the commands described', () => {
      fc.assert(
        fc.property(fc.array(command, { maxLength: 30 }), (commands) => {
          const events: KeyResultEvent[] = [];
          let state = keyResultDecider.initialState();
          const run = (cmd: KeyResultCommand) => {
            const decided = keyResultDecider.decide(cmd, state, {
              cycleStatus: 'ACTIVE',
              objective,
            });
            events.push(...decided);
            state = decided.reduce(keyResultDecider.evolve, state);
          };
          run({
            type: 'AddKeyResult',
            data: {
              keyResultId,
              objectiveId: 'o',
              title: 'T',
              ownerId: null,
              type: 'INCREASE',
              kind: 'OUTPUT',
              startValue: 0,
              targetValue: 10,
              unit: null,
              dataSourceUrl: null,
            },
          });

          // The model: what the commands say the key result should now be.
          let expectedValue = 0;
          let expectedMeasuredAt: string | null = null;
          let expectedTitle = 'T';
          let expectedCount = 0;
          let expectedConfidence: number | null = null;
          const firstCheckInByKey = new Map<string, string>();

          commands.forEach((c, i) => {
            if (c.kind === 'checkIn') {
              const checkInId = `ci-${i}`;
              run({
                type: 'CheckInKeyResult',
                data: {
                  keyResultId,
                  checkInId,
                  value: c.value,
                  confidence: c.confidence,
                  plan: null,
                  progress: null,
                  problems: null,
                  source: 'INTEGRATION',
                  idempotencyKey: c.key,
                  measuredAt: c.measuredAt,
                  now: NOW,
                },
              });
              if (c.key !== null && firstCheckInByKey.has(c.key)) return;
              if (c.key !== null) firstCheckInByKey.set(c.key, checkInId);
              // The latest measured is current; the same instant again replaces it.
              if (expectedMeasuredAt === null || c.measuredAt >= expectedMeasuredAt) {
                expectedValue = c.value;
                expectedMeasuredAt = c.measuredAt;
              }
              expectedCount += 1;
              expectedConfidence = c.confidence ?? expectedConfidence;
            } else {
              const redefine = () =>
                run({
                  type: 'RedefineKeyResult',
                  data: { keyResultId, changes: { title: c.title }, reason: 'why' },
                });
              if (c.title === expectedTitle) {
                expect(redefine).toThrow(DomainRuleViolation);
              } else {
                redefine();
                expectedTitle = c.title;
              }
            }
          });

          // Folding the recorded log from scratch must agree with the model, as time travel does.
          const folded = events.reduce(keyResultDecider.evolve, keyResultDecider.initialState());
          expect(folded).toEqual(state);
          expect(folded?.currentValue).toBe(expectedValue);
          expect(folded?.currentMeasuredAt).toBe(expectedMeasuredAt);
          expect(folded?.title).toBe(expectedTitle);
          expect(folded?.checkInCount).toBe(expectedCount);
          expect(folded?.confidence).toBe(expectedConfidence);
          expect(Object.fromEntries(folded?.checkInIdsByIdempotencyKey ?? [])).toEqual(
            Object.fromEntries(firstCheckInByKey),
          );
          expect(events.filter((e) => e.type === 'KeyResultCheckedIn')).toHaveLength(expectedCount);
        }),
      );
    });
  });

  describe('when a release 1 check-in is read', () => {
    it('is upcast as measured when it was recorded, from no named data source', () => {
      const step = OKR_UPCASTS.KeyResultCheckedIn?.[1];
      const v1 = { keyResultId, checkInId: 'c1', value: 3, previousValue: 0, source: 'MANUAL' };
      expect(step?.(v1, { recordedAt: '2026-07-02T10:00:00.000Z' })).toEqual({
        ...v1,
        measuredAt: '2026-07-02T10:00:00.000Z',
        dataSourceId: null,
        externalId: null,
        correctsCheckInId: null,
      });
    });
  });

  describe('when instants are added to SourceInstants one by one', () => {
    it('answers the latest value of each key and never changes an earlier one', () => {
      fc.assert(
        fc.property(
          fc.array(fc.tuple(fc.integer({ min: 0, max: 20 }), fc.integer()), { maxLength: 200 }),
          (writes) => {
            const model = new Map<string, SourceMeasurement>();
            const snapshots: [SourceInstants, Map<string, SourceMeasurement>][] = [];
            let instants = SourceInstants.empty;
            writes.forEach(([key, value], i) => {
              const measurement = { checkInId: `c${i}`, value };
              instants = instants.with(String(key), measurement);
              model.set(String(key), measurement);
              snapshots.push([instants, new Map(model)]);
            });
            for (const [snapshot, expected] of snapshots) {
              for (let key = 0; key <= 20; key++) {
                expect(snapshot.get(String(key))).toEqual(expected.get(String(key)));
              }
            }
          },
        ),
      );
    });
    it('reads a caller’s map as it is', () => {
      const given = new Map([['a', { checkInId: 'x', value: 1 }]]);
      const next = SourceInstants.over(given).with('b', { checkInId: 'y', value: 2 });
      expect([next.get('a'), next.get('b')]).toEqual([
        { checkInId: 'x', value: 1 },
        { checkInId: 'y', value: 2 },
      ]);
      expect([...given.keys()]).toEqual(['a']);
    });
  });
});
