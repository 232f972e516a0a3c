import { GraphQLError, Kind, parseValue as parseLiteralText } from 'graphql';
import { CYCLE_EARLIEST, DateTimeScalar, isCalendarDate, parseDateTime } from './date-time.scalar';

const literal = (text: string) => DateTimeScalar.parseLiteral(parseLiteralText(text));

describe('DateTimeScalar', () => {
  describe('when a variable carries an RFC 3339 date-time with a time zone', () => {
    it.each([
      ['2026-01-01T09:00:00Z', '2026-01-01T09:00:00.000Z'],
      ['2026-01-01t09:00:00z', '2026-01-01T09:00:00.000Z'],
      ['2026-01-01T10:30:00+01:30', '2026-01-01T09:00:00.000Z'],
      ['2025-12-31T23:00:00-10:00', '2026-01-01T09:00:00.000Z'],
      ['2024-02-29T00:00:00Z', '2024-02-29T00:00:00.000Z'],
      ['2000-02-29T00:00:00Z', '2000-02-29T00:00:00.000Z'],
      ['0001-01-01T00:00:00Z', '0001-01-01T00:00:00.000Z'],
      ['0099-06-15T00:00:00Z', '0099-06-15T00:00:00.000Z'],
      ['9999-12-31T23:59:59.999Z', '9999-12-31T23:59:59.999Z'],
      // Beyond milliseconds is cut off, never rounded up past what was written.
      ['2026-01-01T09:00:00.123999999Z', '2026-01-01T09:00:00.123Z'],
      ['2026-01-01T09:00:00.5Z', '2026-01-01T09:00:00.500Z'],
    ])('reads %s as %s', (text, iso) => {
      expect(DateTimeScalar.parseValue(text).toISOString()).toBe(iso);
    });
  });

  describe('when the value is no such string', () => {
    it.each([
      [true, /string.*boolean/],
      [1700000000, /string.*number/],
      [null, /string.*null/],
      [['2026-01-01T00:00:00Z'], /string.*list/],
      [{ a: 1 }, /string.*object/],
      ['2026-02-30T00:00:00Z', /real calendar date/],
      ['2025-02-29T00:00:00Z', /real calendar date/],
      ['1900-02-29T00:00:00Z', /real calendar date/],
      ['2026-13-01T00:00:00Z', /real calendar date/],
      ['2026-04-31T00:00:00Z', /real calendar date/],
      ['2026-01-00T00:00:00Z', /real calendar date/],
      ['2026-01-01T24:00:00Z', /00:00:00 to 23:59:59/],
      ['2026-01-01T23:60:00Z', /00:00:00 to 23:59:59/],
      ['2026-12-31T23:59:60Z', /00:00:00 to 23:59:59/],
      ['2026-01-01T00:00:00+24:00', /offset/],
      ['0000-01-01T00:00:00Z', /year from 0001/],
      ['0001-01-01T00:00:00+01:00', /instant from 0001/],
      ['9999-12-31T23:00:00-01:00', /instant from 0001/],
      ['+002026-01-01T00:00:00Z', /RFC 3339/],
      ['10000-01-01T00:00:00Z', /RFC 3339/],
      ['2026-01-01T00:00:00', /RFC 3339/],
      ['2026-01-01', /RFC 3339/],
      ['2026-01-01 00:00:00Z', /RFC 3339/],
      ['01/02/2026', /RFC 3339/],
      ['tomorrow', /RFC 3339/],
      ['', /RFC 3339/],
      ['2026-01-01T00:00:00.Z', /RFC 3339/],
      ['2026-01-01T00:00:00.1234567891Z', /RFC 3339/],
      [' 2026-01-01T00:00:00Z', /RFC 3339/],
      ['2026-01-01T00:00:00Z\n', /RFC 3339/],
      ['２026-01-01T00:00:00Z', /RFC 3339/],
    ])('refuses %j with a reason', (value, reason) => {
      let error: unknown;
      try {
        DateTimeScalar.parseValue(value);
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(GraphQLError);
      expect((error as GraphQLError).message).toMatch(/^DateTime /);
      expect((error as GraphQLError).message).toMatch(reason);
    });
  });

  describe('when a literal is written in the query', () => {
    it('reads a string literal', () => {
      expect(literal('"2026-01-01T09:00:00Z"').toISOString()).toBe('2026-01-01T09:00:00.000Z');
    });

    it.each([
      ['true', 'boolean'],
      ['1700000000', 'number'],
      ['1.5', 'number'],
      ['["2026-01-01T00:00:00Z"]', 'list'],
      ['{a: 1}', 'object'],
      ['TODAY', 'enum value'],
    ])('refuses %s, naming it a %s, with the value node for its path', (text, kind) => {
      let error: unknown;
      try {
        literal(text);
      } catch (e) {
        error = e;
      }
      expect((error as GraphQLError).message).toContain(`got a ${kind}`);
      expect((error as GraphQLError).nodes?.[0]?.kind).not.toBe(Kind.STRING);
      expect((error as GraphQLError).nodes).toHaveLength(1);
    });
  });

  describe('when an answer is serialised', () => {
    it('writes a Date as UTC with milliseconds', () => {
      expect(DateTimeScalar.serialize(new Date('2026-01-01T09:00:00+01:00'))).toBe(
        '2026-01-01T08:00:00.000Z',
      );
    });

    it('refuses an invalid Date rather than writing null', () => {
      expect(() => DateTimeScalar.serialize(new Date(Number.NaN))).toThrow(GraphQLError);
    });
  });
});

describe('parseDateTime', () => {
  describe('when a cycle bound is compared', () => {
    it('places the Unix epoch start where the cycle range begins', () => {
      expect(CYCLE_EARLIEST.toISOString()).toBe('1970-01-01T00:00:00.000Z');
      expect(parseDateTime('1970-01-01T00:00:00Z')).toEqual(CYCLE_EARLIEST);
    });
  });
});

describe('isCalendarDate', () => {
  describe('when a due date is checked', () => {
    it.each(['2026-02-28', '2024-02-29', '0001-01-01', '9999-12-31'])('accepts %s', (text) => {
      expect(isCalendarDate(text)).toBe(true);
    });

    it.each(['2026-02-30', '2026-02-29', '0000-01-01', '2026-1-01', '2026-01-01T00:00:00Z', ''])(
      'refuses %j',
      (text) => {
        expect(isCalendarDate(text)).toBe(false);
      },
    );
  });
});
