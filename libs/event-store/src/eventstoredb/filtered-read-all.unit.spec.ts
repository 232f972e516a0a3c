import { eventTypeFilter, streamNameFilter } from '@eventstore/db-client';
import { filteredReadRequest } from './filtered-read-all';

// The request only: sending it needs a server (the contract suite does, with EVENTSTORE_URL).
describe('filteredReadRequest', () => {
  describe('when reading after a position with an event type filter', () => {
    it('asks for $all forwards from there, a count, and the filter instead of "no filter"', () => {
      const request = filteredReadRequest({
        fromPosition: { commit: 12n, prepare: 10n },
        maxCount: 101n,
        filter: eventTypeFilter({ regex: '^(?:A)$', checkpointInterval: 1 }),
      }).toObject();
      expect(request.options).toMatchObject({
        all: { position: { commitPosition: '12', preparePosition: '10' } },
        count: '101',
        readDirection: 0,
        resolveLinks: false,
        filter: {
          eventType: { regex: '^(?:A)$', prefixList: [] },
          checkpointintervalmultiplier: 1,
        },
      });
      expect(request.options?.noFilter).toBeUndefined();
      expect(request.options?.subscription).toBeUndefined();
      expect(request.options?.filter?.count).toBeDefined();
    });
  });

  describe('when reading from the start with a stream prefix and a search window', () => {
    it('filters stream names by prefix within that window', () => {
      const request = filteredReadRequest({
        fromPosition: 'start',
        maxCount: 5n,
        filter: streamNameFilter({ prefixes: ['team-'], maxSearchWindow: 64 }),
      }).toObject();
      expect(request.options?.all?.start).toBeDefined();
      expect(request.options?.filter).toMatchObject({
        streamIdentifier: { prefixList: ['team-'] },
        max: 64,
      });
      expect(request.options?.filter?.eventType).toBeUndefined();
    });
  });
});
