import { GraphQLError, GraphQLScalarType, Kind, type ValueNode } from 'graphql';

/** The instants the API can take at all: years 1 to 9999 (UTC). */
export const EARLIEST_INSTANT = instant(1, 1, 1);
export const LATEST_INSTANT = new Date(instant(10000, 1, 1).getTime() - 1);

// RFC 3339 `date-time`: a full date, `T`, a full time and a mandatory offset (Z or ±hh:mm).
const DATE_TIME =
  /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(?:([Zz])|([+-])(\d{2}):(\d{2}))$/;
const CALENDAR_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

const EXAMPLE = '"2026-01-01T09:00:00Z"';

/**
 * Reads an RFC 3339 date-time with a time zone, strictly: a real calendar date (no
 * 2026-02-30), hours 00-23, no leap second (a JavaScript instant cannot hold it), years 1 to
 * 9999 before and after the offset is applied. Fractions beyond milliseconds are cut off, so
 * an `asOf` never moves later than what was written. Returns a reason when it is not one.
 */
export function parseDateTime(text: string): Date | string {
  const match = DATE_TIME.exec(text);
  if (!match) return `must be an RFC 3339 date-time with a time zone, e.g. ${EXAMPLE}`;
  const [, y, mo, d, h, mi, s, fraction = '', zulu, sign, oh = '0', om = '0'] = match;
  const year = Number(y);
  const month = Number(mo);
  const day = Number(d);
  if (year < 1) return 'must have a year from 0001 to 9999';
  if (month < 1 || month > 12 || day < 1 || day > daysIn(year, month)) {
    return `must be a real calendar date (${y}-${mo}-${d} does not exist)`;
  }
  if (Number(h) > 23 || Number(mi) > 59 || Number(s) > 59) {
    return 'must have a time from 00:00:00 to 23:59:59';
  }
  if (!zulu && (Number(oh) > 23 || Number(om) > 59))
    return 'must have an offset from -23:59 to +23:59';
  const offsetMinutes = zulu ? 0 : (sign === '-' ? -1 : 1) * (Number(oh) * 60 + Number(om));
  const millis = Number(fraction.padEnd(3, '0').slice(0, 3));
  const local = instant(year, month, day, Number(h), Number(mi), Number(s), millis);
  const utc = new Date(local.getTime() - offsetMinutes * 60_000);
  if (utc < EARLIEST_INSTANT || utc > LATEST_INSTANT) {
    return 'must be an instant from 0001-01-01T00:00:00Z to 9999-12-31T23:59:59.999Z';
  }
  return utc;
}

/** True for a real `YYYY-MM-DD` calendar date with a year from 0001 to 9999. */
export function isCalendarDate(text: string): boolean {
  const match = CALENDAR_DATE.exec(text);
  if (!match) return false;
  const [, y, m, d] = match;
  const year = Number(y);
  const month = Number(m);
  const day = Number(d);
  return year >= 1 && month >= 1 && month <= 12 && day >= 1 && day <= daysIn(year, month);
}

function daysIn(year: number, month: number): number {
  if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
  return [4, 6, 9, 11].includes(month) ? 30 : 31;
}

// Date.UTC maps years 0-99 to 1900-1999; setUTCFullYear does not.
function instant(year: number, month: number, day: number, h = 0, mi = 0, s = 0, ms = 0): Date {
  const date = new Date(0);
  date.setUTCFullYear(year, month - 1, day);
  date.setUTCHours(h, mi, s, ms);
  return date;
}

function refuse(value: string, node?: ValueNode): never {
  throw new GraphQLError(`DateTime ${value}`, node ? { nodes: node } : {});
}

function read(value: unknown, node?: ValueNode): Date {
  // Numbers, booleans, lists and objects are refused rather than guessed at.
  if (typeof value !== 'string') {
    refuse(`must be a string, e.g. ${EXAMPLE}; got a ${kindOf(value)}`, node);
  }
  const parsed = parseDateTime(value);
  if (typeof parsed === 'string') refuse(parsed, node);
  return parsed;
}

function kindOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'list';
  return typeof value;
}

const LITERAL_KINDS: Partial<Record<Kind, string>> = {
  [Kind.INT]: 'number',
  [Kind.FLOAT]: 'number',
  [Kind.BOOLEAN]: 'boolean',
  [Kind.LIST]: 'list',
  [Kind.OBJECT]: 'object',
  [Kind.ENUM]: 'enum value',
};

/**
 * The one `DateTime` of the schema (inputs and outputs). Every instant argument and input
 * field uses it, so each is refused at the edge, before any resolver, with the path of the
 * argument or field in `fieldErrors` (the error formatter adds it).
 */
export const DateTimeScalar = new GraphQLScalarType<Date, string>({
  name: 'DateTime',
  description:
    'An instant as an RFC 3339 date-time with a time zone, e.g. 2026-01-01T09:00:00Z or 2026-01-01T10:00:00+01:00; a real calendar date, years 0001 to 9999, fractions beyond milliseconds cut off. Answers are always UTC with milliseconds.',
  specifiedByURL: 'https://www.rfc-editor.org/rfc/rfc3339#section-5.6',
  serialize(value) {
    const date = value instanceof Date ? value : typeof value === 'string' ? read(value) : null;
    if (!date || Number.isNaN(date.getTime())) {
      throw new GraphQLError('DateTime cannot represent this value as an instant.');
    }
    return date.toISOString();
  },
  parseValue(value) {
    return read(value);
  },
  parseLiteral(node) {
    if (node.kind !== Kind.STRING) {
      refuse(
        `must be a string, e.g. ${EXAMPLE}; got a ${LITERAL_KINDS[node.kind] ?? 'non-string'}`,
        node,
      );
    }
    return read(node.value, node);
  },
});

/** Cycles are planned work: their dates must lie in the Unix era (and within DateTime). */
export const CYCLE_EARLIEST = instant(1970, 1, 1);
export const CYCLE_LATEST = LATEST_INSTANT;
