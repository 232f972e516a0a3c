import {
  INDEX_STREAM_PREFIX,
  escapeRegex,
  exactAlternatives,
  isDomainRecord,
  serverFilter,
} from './eventstoredb-filters';

describe('serverFilter', () => {
  describe('when event types are asked for', () => {
    it('filters the exact types on the server with the most frequent checkpoint', () => {
      expect(serverFilter({ eventTypes: ['ObjectiveSet', 'KeyResultAdded'] })).toEqual({
        filterOn: 'eventType',
        regex: '^(?:ObjectiveSet|KeyResultAdded)$',
        checkpointInterval: 1,
        checkpointReached: undefined,
      });
    });

    it('leaves the stream prefix to the client when both are asked for', () => {
      const filter = serverFilter({ eventTypes: ['A'], streamPrefix: 'objective-' });
      expect(filter).toMatchObject({ filterOn: 'eventType', regex: '^(?:A)$' });
      expect('prefixes' in filter).toBe(false);
    });
  });

  describe('when only a stream prefix is asked for', () => {
    it('filters the stream name prefix on the server', () => {
      expect(serverFilter({ streamPrefix: 'team-' }, 3)).toEqual({
        filterOn: 'streamName',
        prefixes: ['team-'],
        checkpointInterval: 3,
        checkpointReached: undefined,
      });
    });
  });

  describe('when nothing is asked for', () => {
    it('still filters, excluding system events, so the server sends checkpoints', () => {
      expect(serverFilter({})).toMatchObject({ filterOn: 'eventType', regex: '^[^$].*' });
    });
  });
});

describe('exactAlternatives', () => {
  describe('when matched like the server matches', () => {
    const regex = new RegExp(exactAlternatives(['CheckedIn', 'Set.Up']));

    it('matches each type exactly, not a longer type it prefixes', () => {
      expect(['CheckedIn', 'Set.Up'].map((t) => regex.test(t))).toEqual([true, true]);
      expect(['CheckedInTwice', 'XCheckedIn', 'SetXUp'].map((t) => regex.test(t))).toEqual([
        false,
        false,
        false,
      ]);
    });

    it('matches nothing for no types, not even the empty type', () => {
      const none = new RegExp(exactAlternatives([]));
      expect(['', 'A', '$>'].some((t) => none.test(t))).toBe(false);
    });
  });
});

describe('escapeRegex', () => {
  describe('when a value holds regex syntax', () => {
    it('escapes it so the value matches only itself', () => {
      const value = 'a.b*c+(d)[e]{f}|g^h$i?j\\k';
      expect(new RegExp(`^${escapeRegex(value)}$`).test(value)).toBe(true);
      expect(new RegExp(`^${escapeRegex(value)}$`).test(value.replace('.', 'x'))).toBe(false);
    });
  });
});

describe('isDomainRecord', () => {
  const record = { type: 'ObjectiveSet', streamId: 'objective-1', isJson: true };

  describe('when a record is the domain’s', () => {
    it('is one', () => {
      expect(isDomainRecord(record)).toBe(true);
    });
  });

  describe('when a record is a system record, binary, or the adapter’s index', () => {
    it('is not one', () => {
      expect(isDomainRecord({ ...record, type: '$metadata' })).toBe(false);
      expect(isDomainRecord({ ...record, streamId: '$stats-127.0.0.1:2113' })).toBe(false);
      expect(isDomainRecord({ ...record, isJson: false })).toBe(false);
      expect(isDomainRecord({ ...record, streamId: `${INDEX_STREAM_PREFIX}cycle-x` })).toBe(false);
    });
  });
});
