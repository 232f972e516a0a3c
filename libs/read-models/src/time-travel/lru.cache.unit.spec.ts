import { LruCache } from './lru.cache';

describe('LruCache', () => {
  describe('when full', () => {
    it('evicts the least recently used entry, counting reads as uses', () => {
      const cache = new LruCache<number>(2);
      cache.set('a', 1);
      cache.set('b', 2);
      expect(cache.get('a')).toBe(1);
      cache.set('c', 3);
      expect(cache.get('b')).toBeUndefined();
      expect(cache.get('a')).toBe(1);
      expect(cache.get('c')).toBe(3);
      expect(cache.size).toBe(2);
    });
  });

  describe('when getOrCreate is called twice for one key', () => {
    it('creates the value once', () => {
      const cache = new LruCache<object>(4);
      const create = jest.fn(() => ({}));
      expect(cache.getOrCreate('k', create)).toBe(cache.getOrCreate('k', create));
      expect(create).toHaveBeenCalledTimes(1);
    });
  });

  describe('when the capacity is not a positive integer', () => {
    it('refuses it', () => {
      expect(() => new LruCache(0)).toThrow(RangeError);
    });
  });
});
