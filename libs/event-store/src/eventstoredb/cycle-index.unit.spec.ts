import { event } from '../testing/event-store.contract';
import {
  KnownEntries,
  cycleIndexStream,
  cycleQueried,
  cyclesOf,
  entryId,
  memberStreams,
} from './cycle-index';
import { INDEX_STREAM_PREFIX } from './eventstoredb-filters';

describe('cycle index', () => {
  const key = { tenantId: 'acme', cycleId: 'c-1' };

  describe('cycleIndexStream', () => {
    it('is one stream per tenant and cycle, skipped by every read of the domain', () => {
      expect(cycleIndexStream(key).startsWith(INDEX_STREAM_PREFIX)).toBe(true);
      expect(cycleIndexStream(key)).not.toBe(cycleIndexStream({ ...key, tenantId: 'other' }));
      // Without the length prefix, tenant "a-b" cycle "c" and tenant "a" cycle "b-c" collide.
      expect(cycleIndexStream({ tenantId: 'a-b', cycleId: 'c' })).not.toBe(
        cycleIndexStream({ tenantId: 'a', cycleId: 'b-c' }),
      );
    });
  });

  describe('cyclesOf', () => {
    it('names each tenant and cycle an append touches once, and ignores events without one', () => {
      const events = [
        event('A', {}, { tenantId: 'acme', cycleId: 'c-1' }),
        event('B', {}, { tenantId: 'acme', cycleId: 'c-1' }),
        event('C', {}, { tenantId: 'acme', cycleId: 'c-2' }),
        event('D', {}, { tenantId: 'acme' }),
        event('E', {}, { tenantId: 'acme', cycleId: 7 }),
      ];
      expect(cyclesOf(events)).toEqual([
        { tenantId: 'acme', cycleId: 'c-1' },
        { tenantId: 'acme', cycleId: 'c-2' },
      ]);
    });
  });

  describe('cycleQueried', () => {
    it('is the cycle when a read names both tenant and cycle, else null', () => {
      expect(cycleQueried({ metadata: { tenantId: 'acme', cycleId: 'c-1' } })).toEqual(key);
      expect(cycleQueried({ metadata: { tenantId: 'acme' } })).toBeNull();
      expect(cycleQueried({ metadata: { cycleId: 'c-1' } })).toBeNull();
      expect(cycleQueried({ eventTypes: ['A'] })).toBeNull();
    });
  });

  describe('entryId', () => {
    it('is a stable UUID per entry, different for another stream or cycle', () => {
      const id = entryId(key, 'objective-1');
      expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
      expect(entryId(key, 'objective-1')).toBe(id);
      expect(entryId(key, 'objective-2')).not.toBe(id);
      expect(entryId({ ...key, cycleId: 'c-2' }, 'objective-1')).not.toBe(id);
    });
  });

  describe('memberStreams', () => {
    it('lists each stream once, in first-seen order, and drops entries without one', () => {
      expect(
        memberStreams([
          { data: { stream: 'cycle-c-1' } },
          { data: { stream: 'objective-1' } },
          { data: { stream: 'cycle-c-1' } },
          { data: {} },
          { data: { stream: 3 } },
          { data: null },
        ]),
      ).toEqual(['cycle-c-1', 'objective-1']);
    });
  });

  describe('KnownEntries', () => {
    it('remembers written entries and forgets the oldest beyond its capacity', () => {
      const known = new KnownEntries(2);
      known.add(key, 's-1');
      known.add(key, 's-2');
      expect([known.has(key, 's-1'), known.has(key, 's-2')]).toEqual([true, true]);
      known.add(key, 's-3');
      expect([known.has(key, 's-1'), known.has(key, 's-2'), known.has(key, 's-3')]).toEqual([
        false,
        true,
        true,
      ]);
    });
  });
});
