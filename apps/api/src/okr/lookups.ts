import { NotFoundError } from '../errors/api.errors';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Ids are UUIDs; anything else cannot exist, so lookups skip it instead of asking SQL. */
export const isUuid = (id: string): boolean => UUID.test(id);

/** The payload of a mutation: the read model row, which exists once the write was projected. */
export function found<T>(view: T | undefined | null, type: string, id: string): T {
  if (view === undefined || view === null) throw new NotFoundError(type, id);
  return view;
}
