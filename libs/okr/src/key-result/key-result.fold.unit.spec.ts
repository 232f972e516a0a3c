import fc from 'fast-check';
import { DomainRuleViolation } from '../okr.errors';
import { keyResultDecider, type KeyResultCommand } from './key-result.decide';
import type { KeyResultEvent } from './key-result.events';

const keyResultId = 'd0000000-0000-4000-8000-000000000001';
const objective = { objectiveId: 'o', cycleId: 'c', status: 'ACTIVE' as const };
const value = fc.double({ noNaN: true, noDefaultInfinity: true });
const title = fc.string({ minLength: 1, maxLength: 8 }).filter((t) => t.trim() === t && t !== '');
// Includes names like __proto__ so the idempotency bookkeeping is tested against them.
const key = fc.option(fc.constantFrom('a', 'b', '__proto__', 'constructor'), { nil: null });

const command = fc.oneof(
  fc
    .record({ value, key, confidence: fc.option(fc.double({ min: 0, max: 1, noNaN: true })) })
    .map(({ value, key, confidence }) => ({ kind: 'checkIn' as const, value, key, confidence })),
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
                },
              });
              if (c.key !== null && firstCheckInByKey.has(c.key)) return;
              if (c.key !== null) firstCheckInByKey.set(c.key, checkInId);
              expectedValue = c.value;
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
});
