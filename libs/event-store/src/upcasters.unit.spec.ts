import type { RecordedEvent } from './event-store.port';
import { UpcasterRegistry } from './upcasters';

function recorded(
  type: string,
  schemaVersion: number,
  data: Record<string, unknown>,
): RecordedEvent {
  return {
    id: 'e1',
    streamName: 'objective-1',
    revision: 0,
    position: '00000000000000000001-00000000000000000001',
    type,
    data,
    metadata: {
      tenantId: 't',
      actorId: 'a',
      correlationId: 'c',
      causationId: null,
      schemaVersion,
      source: 's',
    },
    recordedAt: new Date(0),
  };
}

describe('UpcasterRegistry', () => {
  const registry = new UpcasterRegistry()
    .register('ObjectiveCreated', 1, ({ title, ...rest }) => ({ ...rest, name: title }))
    .register('ObjectiveCreated', 2, (data) => ({ ...data, weight: 1 }));

  describe('when an event is of an old version', () => {
    it('chains the steps up to the current version', () => {
      const event = recorded('ObjectiveCreated', 1, { title: 'Grow' });
      const upcast = registry.upcast(event);
      expect(upcast.data).toEqual({ name: 'Grow', weight: 1 });
      expect(upcast.metadata.schemaVersion).toBe(3);
      expect(event.data).toEqual({ title: 'Grow' });
    });
  });

  describe('when an event is current or of another type', () => {
    it('returns it unchanged', () => {
      const current = recorded('ObjectiveCreated', 3, { name: 'x', weight: 2 });
      expect(registry.upcast(current)).toBe(current);
      const other = recorded('KeyResultAdded', 1, { title: 'x' });
      expect(registry.upcast(other)).toBe(other);
    });
  });

  describe('when a step is registered twice', () => {
    it('refuses', () => {
      expect(() => registry.register('ObjectiveCreated', 1, (d) => d)).toThrow(
        /already registered/,
      );
    });
  });
});
