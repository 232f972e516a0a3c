import type { RecordedEvent } from './event-store.port';
import { foldEvents, tenantHistory, type StreamFold } from './fold-stream';

type Added = { type: 'Added'; data: { amount: number } };
const total: StreamFold<number, Added> = {
  initialState: () => 0,
  evolve: (state, event) => state + event.data.amount,
};

function recorded(tenantId: string, revision: number, amount: number): RecordedEvent {
  return {
    id: `e${revision}`,
    streamName: 'counter-1',
    revision,
    position: String(revision),
    type: 'Added',
    data: { amount },
    metadata: {
      tenantId,
      actorId: 'ana',
      correlationId: 'c',
      causationId: null,
      schemaVersion: 1,
      source: 'test',
    },
    recordedAt: new Date(0),
  };
}

describe('foldStream', () => {
  describe("given a stream of the tenant's own events", () => {
    it('folds every one of them', () => {
      const events = [recorded('acme', 0, 2), recorded('acme', 1, 3)];
      expect(tenantHistory(events, 'acme')).toEqual(events);
      expect(foldEvents(total, tenantHistory(events, 'acme'))).toBe(5);
    });
  });

  describe("given a stream holding another tenant's event", () => {
    it('looks empty: nothing is folded, not even the own events', () => {
      const events = [recorded('acme', 0, 2), recorded('globex', 1, 3)];
      expect(tenantHistory(events, 'acme')).toEqual([]);
      expect(tenantHistory(events, 'globex')).toEqual([]);
      expect(foldEvents(total, tenantHistory(events, 'acme'))).toBe(0);
    });
  });
});
