import fc from 'fast-check';
import type { KeyResultCheckedIn } from '../key-result/key-result.events';
import {
  AUDIT_SIGNAL_KINDS,
  BACKDATED_AFTER_HOURS,
  detectSignals,
  initialSignalState,
  JUMP_MIN_HISTORY,
  median,
  STALE_CONFIDENCE_CHECK_INS,
  type AuditSignal,
  type AuditSignalKind,
  type SignalContext,
  type SignalEvent,
  type SignalRecording,
  type SignalState,
} from './audit-signals.detect';

const KR = 'k0000000-0000-4000-8000-000000000001';
const START = Date.parse('2026-07-01T00:00:00Z');
const HOUR = 60 * 60 * 1000;

interface Step {
  readonly event: SignalEvent;
  readonly recorded: SignalRecording;
  readonly context?: SignalContext;
}

interface CheckInOptions {
  readonly source?: 'MANUAL' | 'INTEGRATION';
  readonly confidence?: number | null;
  /** Hours before the recording that the value was true. */
  readonly measuredHoursBefore?: number;
  readonly correctsCheckInId?: string | null;
  readonly actorId?: string;
  /** The INTEGRATION value's data source ('crm' unless told; null: no registered source). */
  readonly dataSourceId?: string | null;
  /** The close of the key result's cycle, recorded before this check-in. */
  readonly closed?: SignalRecording;
}

/** A key result's story: one event per hour, positions in log order. */
class Story {
  private n = 0;

  private recording(actorId: string): SignalRecording {
    this.n += 1;
    return {
      position: `${String(this.n).padStart(20, '0')}-${String(this.n).padStart(20, '0')}`,
      eventId: `e${this.n}`,
      recordedAt: new Date(START + this.n * HOUR).toISOString(),
      actorId,
    };
  }

  added(startValue = 0, targetValue = 100, type: 'INCREASE' | 'MILESTONE' = 'INCREASE'): Step {
    return {
      event: {
        type: 'KeyResultAdded',
        data: {
          keyResultId: KR,
          objectiveId: 'o',
          cycleId: 'c',
          title: 'Upsell',
          ownerId: 'eva',
          type,
          kind: 'OUTCOME',
          startValue,
          targetValue,
          unit: null,
          weight: 1,
          dataSourceUrl: null,
          scoring: 'OWN_VALUE',
        },
      },
      recorded: this.recording('eva'),
    };
  }

  redefined(startValue: number, targetValue: number): Step {
    return {
      event: {
        type: 'KeyResultRedefined',
        data: {
          keyResultId: KR,
          changes: [
            { field: 'startValue', from: 0, to: startValue },
            { field: 'targetValue', from: 100, to: targetValue },
          ],
          reason: 'Another metric',
        },
      },
      recorded: this.recording('eva'),
    };
  }

  registered(keyResultIds: readonly string[] = [KR], dataSourceId = 'crm', name = 'CRM'): Step {
    return {
      event: {
        type: 'DataSourceRegistered',
        data: {
          dataSourceId,
          name,
          kind: 'CRM',
          expectedIntervalHours: 24,
          keyResultIds,
          keyHash: 'f'.repeat(64),
        },
      },
      recorded: this.recording('admin'),
    };
  }

  /** Handed to each key result the source's registration listed (the event names none). */
  revoked(dataSourceId = 'crm'): Step {
    return {
      event: { type: 'DataSourceKeyRevoked', data: { dataSourceId, reason: 'Contract ended' } },
      recorded: this.recording('admin'),
    };
  }

  /** A CycleClosed of the key result's cycle: the context hands it to the check-ins after it. */
  closed(): SignalRecording {
    return this.recording('ana');
  }

  checkIn(value: number, options: CheckInOptions = {}): Step {
    const source = options.source ?? 'MANUAL';
    const recorded = this.recording(
      options.actorId ?? (source === 'INTEGRATION' ? 'crm-sync' : 'eva'),
    );
    const measuredAt = new Date(
      Date.parse(recorded.recordedAt) - (options.measuredHoursBefore ?? 0) * HOUR,
    ).toISOString();
    const data: KeyResultCheckedIn['data'] = {
      keyResultId: KR,
      checkInId: `ci${this.n}`,
      value,
      previousValue: 0,
      confidence: options.confidence ?? null,
      plan: null,
      progress: null,
      problems: null,
      source,
      idempotencyKey: null,
      measuredAt,
      dataSourceId:
        source !== 'INTEGRATION'
          ? null
          : options.dataSourceId === undefined
            ? 'crm'
            : options.dataSourceId,
      externalId: null,
      correctsCheckInId: options.correctsCheckInId ?? null,
    };
    const closed = options.closed;
    return {
      event: { type: 'KeyResultCheckedIn', data },
      recorded,
      ...(closed
        ? {
            context: {
              cycleClosed: {
                position: closed.position,
                eventId: closed.eventId,
                eventType: 'CycleClosed',
                recordedAt: closed.recordedAt,
              },
            },
          }
        : {}),
    };
  }
}

function fold(steps: readonly Step[], from: SignalState = initialSignalState(KR)) {
  let state = from;
  const signals: AuditSignal[] = [];
  for (const step of steps) {
    const next = detectSignals(state, step.event, step.recorded, step.context);
    state = next.state;
    signals.push(...next.signals);
  }
  return { state, signals };
}

/** Given these events, when this one is recorded, then these signals (and only these). */
const given = (steps: readonly Step[]) => ({
  when: (step: Step) => {
    const { state, signals: before } = fold(steps);
    const { signals } = detectSignals(state, step.event, step.recorded, step.context);
    return {
      before,
      signals,
      then(kinds: readonly AuditSignalKind[]) {
        expect(signals.map((s) => s.kind)).toEqual(kinds);
        for (const signal of signals) {
          expect(signal).toMatchObject({
            keyResultId: KR,
            position: step.recorded.position,
            detectedAt: step.recorded.recordedAt,
          });
          expect(signal.restsOn.map((e) => e.position)).toContain(step.recorded.position);
          expect(signal.summary).not.toBe('');
        }
        return signals;
      },
    };
  },
});

const positionsOf = (signal: AuditSignal | undefined) => signal?.restsOn.map((e) => e.eventId);

describe('detectSignals', () => {
  describe('MANUAL_OVERRIDE', () => {
    describe('when a person checks in a value other than the one the data source sent', () => {
      it('raises it, resting on the listing, the value sent and the check-in', () => {
        const s = new Story();
        const [signal] = given([
          s.added(),
          s.registered(),
          s.checkIn(30, { source: 'INTEGRATION' }),
        ])
          .when(s.checkIn(45, { actorId: 'eva' }))
          .then(['MANUAL_OVERRIDE']);
        expect(positionsOf(signal)).toEqual(['e2', 'e3', 'e4']);
        expect(signal?.summary).toBe(
          'eva checked in 45 by hand on a key result fed by data source "CRM"; the last value it sent was 30',
        );
      });
    });

    describe('when a person types in exactly what the data source sent', () => {
      it('raises nothing: that confirms the value', () => {
        const s = new Story();
        given([s.added(), s.registered(), s.checkIn(30, { source: 'INTEGRATION' })])
          .when(s.checkIn(30))
          .then([]);
      });
    });

    describe('when a key result has received integration values but no source lists it', () => {
      it('still counts as fed by an integration', () => {
        const s = new Story();
        const [signal] = given([
          s.added(),
          s.checkIn(10, { source: 'INTEGRATION', dataSourceId: null }),
        ])
          .when(s.checkIn(12))
          .then(['MANUAL_OVERRIDE']);
        expect(positionsOf(signal)).toEqual(['e2', 'e3']);
        expect(signal?.summary).toBe(
          'eva checked in 12 by hand on a key result fed by an integration; the last value it sent was 10',
        );
      });
    });

    describe("when the data source's key was revoked", () => {
      it('raises nothing for a later manual check-in: the source no longer feeds it', () => {
        const s = new Story();
        given([s.added(), s.registered(), s.checkIn(30, { source: 'INTEGRATION' }), s.revoked()])
          .when(s.checkIn(45))
          .then([]);
      });

      it('raises nothing when the source was revoked before it sent anything', () => {
        const s = new Story();
        given([s.added(), s.registered(), s.revoked()]).when(s.checkIn(5)).then([]);
      });
    });

    describe('when two data sources feed the key result and one is revoked', () => {
      it('still raises it, resting on the remaining source and the value it sent', () => {
        const s = new Story();
        const [signal] = given([
          s.added(),
          s.registered([KR], 'crm', 'CRM'),
          s.registered([KR], 'billing', 'Billing'),
          s.checkIn(40, { source: 'INTEGRATION', dataSourceId: 'billing' }),
          s.checkIn(30, { source: 'INTEGRATION', dataSourceId: 'crm' }),
          s.revoked('crm'),
        ])
          // The revoked source's value is no longer what the system says: no confirmation.
          .when(s.checkIn(30))
          .then(['MANUAL_OVERRIDE']);
        expect(positionsOf(signal)).toEqual(['e3', 'e4', 'e7']);
        expect(signal?.summary).toBe(
          'eva checked in 30 by hand on a key result fed by data source "Billing"; the last value it sent was 40',
        );
      });
    });

    describe('when a source that never fed the key result is revoked', () => {
      it('leaves its state as it was', () => {
        const s = new Story();
        const { state } = fold([s.added(), s.registered()]);
        const step = s.revoked('billing');
        expect(detectSignals(state, step.event, step.recorded).state).toBe(state);
      });
    });

    describe('when integration values came without a registered source and another is revoked', () => {
      it('still counts as fed: nothing can revoke an unregistered integration', () => {
        const s = new Story();
        const [signal] = given([
          s.added(),
          s.checkIn(10, { source: 'INTEGRATION', dataSourceId: null }),
          s.registered(),
          s.revoked(),
        ])
          .when(s.checkIn(12))
          .then(['MANUAL_OVERRIDE']);
        expect(positionsOf(signal)).toEqual(['e2', 'e5']);
      });
    });

    describe('when a data source lists the key result but has sent nothing yet', () => {
      it('raises it: the person is ahead of the system', () => {
        const s = new Story();
        const [signal] = given([s.added(), s.registered()])
          .when(s.checkIn(5))
          .then(['MANUAL_OVERRIDE']);
        expect(signal?.summary).toContain('it had sent no value yet');
      });
    });

    describe('when the data source lists other key results only', () => {
      it('raises nothing for a manual check-in', () => {
        const s = new Story();
        given([s.added(), s.registered(['another'])])
          .when(s.checkIn(5))
          .then([]);
      });
    });

    describe('when the value comes from the integration itself', () => {
      it('raises nothing', () => {
        const s = new Story();
        given([s.added(), s.registered(), s.checkIn(5, { source: 'INTEGRATION' })])
          .when(s.checkIn(9, { source: 'INTEGRATION' }))
          .then([]);
      });
    });
  });

  describe('BACKDATED_VALUE', () => {
    describe(`when a value is recorded more than ${BACKDATED_AFTER_HOURS} hours after it was true`, () => {
      it('raises it on that check-in alone', () => {
        const s = new Story();
        const [signal] = given([s.added()])
          .when(s.checkIn(5, { measuredHoursBefore: BACKDATED_AFTER_HOURS + 1 }))
          .then(['BACKDATED_VALUE']);
        expect(positionsOf(signal)).toEqual(['e2']);
        expect(signal?.summary).toMatch(/^5 measured at .* was recorded 2\.04 days later/);
      });
    });

    describe(`when it is recorded exactly ${BACKDATED_AFTER_HOURS} hours later`, () => {
      it('raises nothing', () => {
        const s = new Story();
        given([s.added()])
          .when(s.checkIn(5, { measuredHoursBefore: BACKDATED_AFTER_HOURS }))
          .then([]);
      });
    });
  });

  describe('CORRECTED_AFTER_CLOSE', () => {
    describe('when a correction is recorded after the cycle closed', () => {
      it('raises it, resting on the close, the corrected check-in and the correction', () => {
        const s = new Story();
        const sent = s.checkIn(40, { source: 'INTEGRATION' });
        const close = s.closed();
        const [signal] = given([sent])
          .when(
            s.checkIn(42, {
              source: 'INTEGRATION',
              measuredHoursBefore: 1,
              correctsCheckInId: 'ci1',
              closed: close,
            }),
          )
          .then(['CORRECTED_AFTER_CLOSE']);
        expect(positionsOf(signal)).toEqual(['e1', 'e2', 'e3']);
        expect(signal?.summary).toContain(
          'was recorded as a correction by crm-sync after the cycle closed',
        );
      });
    });

    describe('when the value comes from a registered data source', () => {
      it('names the source as its registration does', () => {
        const s = new Story();
        const close = s.closed();
        const [signal] = given([s.added(), s.registered()])
          .when(s.checkIn(40, { source: 'INTEGRATION', closed: close }))
          .then(['CORRECTED_AFTER_CLOSE']);
        expect(signal?.summary).toContain(
          'was recorded by data source "CRM" after the cycle closed',
        );
      });
    });

    describe('when a late value after the close is also back-dated', () => {
      it('raises both', () => {
        const s = new Story();
        const close = s.closed();
        given([s.added()])
          .when(s.checkIn(40, { source: 'INTEGRATION', measuredHoursBefore: 100, closed: close }))
          .then(['BACKDATED_VALUE', 'CORRECTED_AFTER_CLOSE']);
      });
    });
  });

  describe('IMPLAUSIBLE_JUMP', () => {
    const steady = (s: Story) => [
      s.added(0, 600),
      ...[10, 25, 40, 55, 70, 85].map((v) => s.checkIn(v)),
    ];

    describe('when a value leaves a steady history far behind', () => {
      it('raises it, resting on the value before and the jump', () => {
        const s = new Story();
        const history = steady(s);
        const [signal] = given(history).when(s.checkIn(400)).then(['IMPLAUSIBLE_JUMP']);
        expect(positionsOf(signal)).toEqual(['e7', 'e8']);
        expect(signal?.summary).toBe(
          'the value went from 85 to 400 (+315), while the last 5 changes had a median of +15 (no spread)',
        );
      });
    });

    describe('when the change is within the share of the span', () => {
      it('raises nothing, even against a history without spread', () => {
        const s = new Story();
        given(steady(s))
          .when(s.checkIn(85 + 150))
          .then([]);
      });
    });

    describe('when most past changes are equal (a small integer metric)', () => {
      it('measures the spread by the mean absolute deviation, which still sees the odd ones', () => {
        const s = new Story();
        // Changes 0, 0, 0, 0, 20, 20, 20: the MAD is 0, their mean absolute deviation is not.
        const bursts = [s.added(0, 100), ...[0, 0, 0, 0, 0, 20, 40, 60].map((v) => s.checkIn(v))];
        given(bursts).when(s.checkIn(90)).then([]);
        const t = new Story();
        const flat = [t.added(0, 4), ...[0, 0, 0, 1, 1, 1, 1].map((v) => t.checkIn(v))];
        given(flat).when(t.checkIn(4)).then(['IMPLAUSIBLE_JUMP']);
      });
    });

    describe('when the history is noisy', () => {
      it('judges a change in robust standard deviations of the past changes', () => {
        const s = new Story();
        const noisy = [s.added(0, 100), ...[0, 30, 10, 50, 20, 60, 30].map((v) => s.checkIn(v))];
        given(noisy).when(s.checkIn(90)).then([]);
        const t = new Story();
        const calm = [t.added(0, 100), ...[0, 2, 4, 5, 7, 9, 11].map((v) => t.checkIn(v))];
        given(calm).when(t.checkIn(60)).then(['IMPLAUSIBLE_JUMP']);
      });
    });

    describe(`when there are fewer than ${JUMP_MIN_HISTORY} past changes`, () => {
      it('raises nothing', () => {
        const s = new Story();
        given([s.added(0, 600), ...[10, 20, 30, 40].map((v) => s.checkIn(v))])
          .when(s.checkIn(500))
          .then([]);
      });
    });

    describe('when the key result is a milestone', () => {
      it('raises nothing for its 0 → 1', () => {
        const s = new Story();
        given([s.added(0, 1, 'MILESTONE'), ...[0, 0, 0, 0, 0, 0].map((v) => s.checkIn(v))])
          .when(s.checkIn(1))
          .then([]);
      });
    });

    describe('when a redefinition changed the scale', () => {
      it('judges neither the change across scales nor with the old history', () => {
        const s = new Story();
        const before = [s.added(0, 600), ...[10, 25, 40, 55, 70, 85].map((v) => s.checkIn(v))];
        given([...before, s.redefined(3, 25)])
          .when(s.checkIn(4))
          .then([]);
        const t = new Story();
        const rescaled = [t.added(0, 600), ...[10, 25, 40, 55, 70, 85].map((v) => t.checkIn(v))];
        given([...rescaled, t.redefined(3, 25), t.checkIn(4)])
          .when(t.checkIn(20))
          .then([]);
      });
    });

    describe('when a late value measured before the latest one arrives', () => {
      it('does not judge it as a move of the current value', () => {
        const s = new Story();
        given(steady(s))
          .when(s.checkIn(400, { measuredHoursBefore: 10 }))
          .then([]);
      });
    });
  });

  describe('STALE_CONFIDENCE', () => {
    describe(`when ${STALE_CONFIDENCE_CHECK_INS} check-ins in a row keep the value with an on-track confidence`, () => {
      it('raises it once, resting on the run', () => {
        const s = new Story();
        const three = given([s.added(), s.checkIn(20, { confidence: 0.8 }), s.checkIn(20)]).when(
          s.checkIn(20, { confidence: 0.9 }),
        );
        const [signal] = three.then(['STALE_CONFIDENCE']);
        expect(positionsOf(signal)).toEqual(['e2', 'e3', 'e4']);
        expect(signal?.summary).toBe(
          'confidence 0.9 ("on track") on 3 check-ins in a row while the value stayed at 20',
        );
        const u = new Story();
        given([u.added(), u.checkIn(20, { confidence: 0.8 }), u.checkIn(20), u.checkIn(20)])
          .when(u.checkIn(20))
          .then([]);
      });
    });

    describe('when the confidence drops below on track within the run', () => {
      it('raises nothing', () => {
        const s = new Story();
        given([s.added(), s.checkIn(20, { confidence: 0.8 }), s.checkIn(20, { confidence: 0.5 })])
          .when(s.checkIn(20, { confidence: 0.8 }))
          .then([]);
      });
    });

    describe('when the key result has reached its target', () => {
      it('raises nothing: staying there is the point', () => {
        const s = new Story();
        given([s.added(0, 10), s.checkIn(10, { confidence: 0.9 }), s.checkIn(10)])
          .when(s.checkIn(10))
          .then([]);
      });
    });

    describe('when the value moves', () => {
      it('starts a new run', () => {
        const s = new Story();
        given([s.added(), s.checkIn(20, { confidence: 0.8 }), s.checkIn(20), s.checkIn(21)])
          .when(s.checkIn(21))
          .then([]);
      });
    });
  });

  describe('when any history is folded', () => {
    const step = fc.record({
      value: fc.integer({ min: -50, max: 50 }),
      integration: fc.boolean(),
      confidence: fc.option(fc.constantFrom(0.3, 0.7, 0.9), { nil: null }),
      late: fc.constantFrom(0, 0, 10, 60),
    });
    const history = fc.array(step, { minLength: 1, maxLength: 40 });
    type History = readonly {
      value: number;
      integration: boolean;
      confidence: number | null;
      late: number;
    }[];
    const storyOf = (steps: History, shift = 0, close?: number, revoke?: number) => {
      const s = new Story();
      const events = [s.added(shift, shift + 100), s.registered()];
      let closed: SignalRecording | undefined;
      steps.forEach((x, i) => {
        if (i === close) closed = s.closed();
        if (i === revoke) events.push(s.revoked());
        events.push(
          s.checkIn(x.value + shift, {
            source: x.integration ? 'INTEGRATION' : 'MANUAL',
            confidence: x.confidence,
            measuredHoursBefore: x.late,
            ...(closed ? { closed } : {}),
          }),
        );
      });
      return events;
    };

    it('names only known kinds, the raising event and earlier ones, in log order', () => {
      fc.assert(
        fc.property(history, fc.nat(40), (steps, close) => {
          const { signals } = fold(storyOf(steps, 0, close));
          for (const signal of signals) {
            expect(AUDIT_SIGNAL_KINDS).toContain(signal.kind);
            const positions = signal.restsOn.map((e) => e.position);
            expect(positions.at(-1)).toBe(signal.position);
            expect([...positions].sort()).toEqual(positions);
            expect(new Set(positions).size).toBe(positions.length);
          }
        }),
      );
    });

    it('goes on from a stored state (JSON) exactly as in one pass', () => {
      fc.assert(
        fc.property(history, fc.nat(40), fc.nat(40), (steps, cut, revoke) => {
          const events = storyOf(steps, 0, undefined, revoke);
          const whole = fold(events);
          const head = fold(events.slice(0, cut));
          const stored = JSON.parse(JSON.stringify(head.state)) as SignalState;
          const tail = fold(events.slice(cut), stored);
          expect([...head.signals, ...tail.signals]).toEqual(whole.signals);
          expect(tail.state).toEqual(whole.state);
        }),
      );
    });

    it('raises the same jumps and stale runs when every value is shifted', () => {
      fc.assert(
        fc.property(history, fc.integer({ min: -1000, max: 1000 }), (steps, shift) => {
          const kinds = (events: Step[]) =>
            fold(events)
              .signals.filter((s) => s.kind === 'IMPLAUSIBLE_JUMP' || s.kind === 'STALE_CONFIDENCE')
              .map((s) => [s.kind, s.position]);
          expect(kinds(storyOf(steps, shift))).toEqual(kinds(storyOf(steps)));
        }),
      );
    });

    it('never calls a steady pace a jump', () => {
      fc.assert(
        fc.property(fc.integer({ min: 1, max: 20 }), fc.integer({ min: 6, max: 40 }), (pace, n) => {
          const s = new Story();
          const events = [
            s.added(0, 100),
            ...Array.from({ length: n }, (_, i) => s.checkIn(i * pace)),
          ];
          expect(fold(events).signals.filter((x) => x.kind === 'IMPLAUSIBLE_JUMP')).toEqual([]);
        }),
      );
    });
  });
});

describe('median', () => {
  describe('when the list has an odd or an even length', () => {
    it('takes the middle one or the mean of the middle two', () => {
      expect(median([3, 1, 2])).toBe(2);
      expect(median([4, 1, 3, 2])).toBe(2.5);
    });
  });
});
