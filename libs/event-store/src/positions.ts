/**
 * Global positions are two unsigned integers rendered as `<20 digits>-<20 digits>`
 * (PostgreSQL: transaction id, sequence; EventStoreDB: commit, prepare). Fixed width makes
 * plain string comparison agree with numeric order, so projections can store them as text
 * and compare them in SQL or JavaScript alike.
 */
const WIDTH = 20;
const POSITION_PATTERN = /^\d{20}-\d{20}$/;

export const START_POSITION = `${'0'.repeat(WIDTH)}-${'0'.repeat(WIDTH)}`;

export function formatPosition(
  major: bigint | number | string,
  minor: bigint | number | string,
): string {
  return `${String(major).padStart(WIDTH, '0')}-${String(minor).padStart(WIDTH, '0')}`;
}

export function isPosition(value: string): boolean {
  return POSITION_PATTERN.test(value);
}

export function parsePosition(position: string): { major: bigint; minor: bigint } {
  if (!isPosition(position)) throw new TypeError(`Not an event store position: "${position}"`);
  const [major, minor] = position.split('-') as [string, string];
  return { major: BigInt(major), minor: BigInt(minor) };
}

/** Negative, zero or positive like `Array.prototype.sort` expects. */
export function comparePositions(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

export function maxPosition(a: string, b: string): string {
  return comparePositions(a, b) >= 0 ? a : b;
}
