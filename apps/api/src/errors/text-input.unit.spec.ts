import { MAX_TEXT_LENGTH, malformedText } from './text-input';

describe('malformedText', () => {
  describe('when argument values carry text that cannot be recorded', () => {
    it('names each string with NUL, a lone surrogate or too many characters by its path', () => {
      const value = {
        name: 'a\u0000b',
        nested: { items: ['fine', 'x\ud800y', '\udc00'] },
        long: 'x'.repeat(MAX_TEXT_LENGTH + 1),
      };
      expect(malformedText(value).map((e) => [e.path, e.constraint])).toEqual([
        ['name', 'noNulCharacter'],
        ['nested.items[1]', 'wellFormedUnicode'],
        ['nested.items[2]', 'wellFormedUnicode'],
        ['long', 'maxLength'],
      ]);
    });
  });

  describe('when the text is well-formed', () => {
    it('accepts astral characters (pairs) and counts each as one character', () => {
      const emoji = '😀'.repeat(MAX_TEXT_LENGTH);
      expect(emoji.length).toBe(2 * MAX_TEXT_LENGTH);
      expect(malformedText({ note: emoji, other: 'ünïcödé\u200b' })).toEqual([]);
    });

    it('looks at no Dates, numbers or class instances', () => {
      expect(malformedText({ at: new Date(0), n: 1, map: new Map([['a\u0000', 1]]) })).toEqual([]);
    });
  });
});
