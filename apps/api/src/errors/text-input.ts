import type { FieldError } from './api.errors';

/**
 * No text an API argument carries may be longer than this (in characters, as class-validator
 * counts them: a surrogate pair is one). Each text field documents and enforces its own,
 * smaller or equal, maximum; this bounds what no decorator covers (plain `ID` arguments).
 */
export const MAX_TEXT_LENGTH = 5000;

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
const SURROGATE_PAIRS = /[\uD800-\uDBFF][\uDC00-\uDFFF]/g;

/**
 * Every string in an argument value that cannot be recorded as it was sent (ADR 0008):
 * U+0000, which PostgreSQL text and jsonb cannot hold, a lone surrogate, which is no
 * Unicode text at all and cannot be encoded as UTF-8, and text over `MAX_TEXT_LENGTH`.
 * Paths are relative to the value (`name`, `eventTypes[1]`), as class-validator's are.
 */
export function malformedText(value: unknown, path = ''): FieldError[] {
  if (typeof value === 'string') {
    const errors: FieldError[] = [];
    if (value.includes('\u0000')) {
      errors.push({
        path,
        constraint: 'noNulCharacter',
        message: 'must not contain the NUL character (U+0000)',
      });
    }
    if (LONE_SURROGATE.test(value)) {
      errors.push({
        path,
        constraint: 'wellFormedUnicode',
        message: 'must be well-formed Unicode (it has a lone surrogate)',
      });
    }
    if (value.length > MAX_TEXT_LENGTH && characters(value) > MAX_TEXT_LENGTH) {
      errors.push({
        path,
        constraint: 'maxLength',
        message: `must be at most ${MAX_TEXT_LENGTH} characters long`,
      });
    }
    return errors;
  }
  if (Array.isArray(value)) {
    return value.flatMap((item, i) => malformedText(item, `${path}[${i}]`));
  }
  if (isPlainObject(value)) {
    return Object.entries(value).flatMap(([key, item]) =>
      malformedText(item, path === '' ? key : `${path}.${key}`),
    );
  }
  return [];
}

function characters(text: string): number {
  return text.length - (text.match(SURROGATE_PAIRS)?.length ?? 0);
}

// graphql-js builds argument objects with a null prototype; Dates and the like are no text.
function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null) return false;
  const prototype: unknown = Object.getPrototypeOf(value);
  return prototype === null || prototype === Object.prototype;
}
