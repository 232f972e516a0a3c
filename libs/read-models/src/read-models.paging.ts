import { InvalidCursor, type Page, type PageRequest } from './read-models.views';

/** The slice of the DataSource the queries need (TypeORM's DataSource fits). */
export interface SqlRunner {
  query<T = unknown>(sql: string, parameters?: unknown[]): Promise<T>;
}

/**
 * Cursors are base64url of a JSON array whose first element names the query that issued it,
 * so a cursor of one list is refused by another.
 */
export function encodeCursor(kind: string, ...key: readonly string[]): string {
  return Buffer.from(JSON.stringify([kind, ...key])).toString('base64url');
}

/** The sort key of a cursor this kind of query issued; InvalidCursor otherwise. */
export function decodeCursor(kind: string, cursor: string, length: number): string[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw new InvalidCursor(cursor);
  }
  if (
    !Array.isArray(parsed) ||
    parsed.length !== length + 1 ||
    parsed[0] !== kind ||
    !parsed.every((part) => typeof part === 'string')
  ) {
    throw new InvalidCursor(cursor);
  }
  return parsed.slice(1);
}

export function clampFirst(page: PageRequest): number {
  const first = Math.trunc(page.first);
  return Number.isFinite(first) ? Math.min(100, Math.max(1, first)) : 20;
}

/** Builds a page from `first + 1` fetched rows (the extra one only says there is more). */
export function toPage<Row, T>(
  rows: readonly Row[],
  first: number,
  totalCount: number,
  hasAfter: boolean,
  map: (row: Row) => T,
  cursorOf: (row: Row) => string,
): Page<T> {
  const items = rows.slice(0, first).map((row) => ({ cursor: cursorOf(row), node: map(row) }));
  return {
    items,
    hasNextPage: rows.length > first,
    hasPreviousPage: hasAfter,
    startCursor: items[0]?.cursor ?? null,
    endCursor: items[items.length - 1]?.cursor ?? null,
    totalCount,
  };
}

export const toDate = (value: Date | string): Date =>
  value instanceof Date ? value : new Date(value);

/**
 * The WHERE clause of a tenant's filtered page, built with numbered parameters: `add` takes a
 * condition whose `?` marks (one or several) stand for its one value.
 */
export class TenantConditions {
  readonly values: unknown[];
  readonly where: string[] = ['tenant_id = $1'];

  constructor(tenantId: string) {
    this.values = [tenantId];
  }

  add(condition: string, value: unknown): void {
    this.values.push(value);
    this.where.push(condition.replaceAll('?', `$${this.values.length}`));
  }
}
