import { canonicalJson, keyedEventId, nameBasedUuid, requestHash } from './idempotency';

describe('idempotency', () => {
  describe('nameBasedUuid', () => {
    it('gives the same RFC 4122 version-5 id for the same parts, another for other parts', () => {
      const id = nameBasedUuid('setObjective', 'acme', 'k1');
      expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
      expect(nameBasedUuid('setObjective', 'acme', 'k1')).toBe(id);
      expect(nameBasedUuid('setObjective', 'globex', 'k1')).not.toBe(id);
      expect(nameBasedUuid('addKeyResult', 'acme', 'k1')).not.toBe(id);
    });

    it('keeps parts apart however they are split', () => {
      expect(nameBasedUuid('ab', 'c')).not.toBe(nameBasedUuid('a', 'bc'));
      expect(nameBasedUuid('a|b')).not.toBe(nameBasedUuid('a', 'b'));
    });
  });

  describe('canonicalJson', () => {
    it('sorts keys at every depth and drops undefined members, keeping null', () => {
      expect(canonicalJson({ b: 1, a: { d: [1, { y: 2, x: 1 }], c: undefined }, e: null })).toBe(
        '{"a":{"d":[1,{"x":1,"y":2}]},"b":1,"e":null}',
      );
    });
  });

  describe('requestHash', () => {
    it('is equal for equal inputs in any key order, different for another operation or value', () => {
      const hash = requestHash('reviseObjective', { objectiveId: 'o', title: 't' });
      expect(requestHash('reviseObjective', { title: 't', objectiveId: 'o' })).toBe(hash);
      expect(requestHash('archiveObjective', { objectiveId: 'o', title: 't' })).not.toBe(hash);
      // Clearing a field (null) is another request than leaving it (absent).
      expect(
        requestHash('reviseObjective', { objectiveId: 'o', title: 't', description: null }),
      ).not.toBe(hash);
    });
  });

  describe('keyedEventId', () => {
    it('differs per tenant and per event of the command', () => {
      const first = keyedEventId('acme', 'k', 0);
      expect(keyedEventId('acme', 'k', 0)).toBe(first);
      expect(keyedEventId('acme', 'k', 1)).not.toBe(first);
      expect(keyedEventId('globex', 'k', 0)).not.toBe(first);
    });
  });
});
