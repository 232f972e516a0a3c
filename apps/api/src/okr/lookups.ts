import { NotFoundError } from '../errors/api.errors';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Ids are UUIDs; anything else cannot exist, so lookups skip it instead of asking SQL. */
export const isUuid = (id: string): boolean => UUID.test(id);

/**
 * A nested lookup that must exist (an objective's cycle). Never for a mutation's own payload:
 * a write that happened is answered from its events when not projected yet (OkrWrites.visible).
 */
export function found<T>(view: T | undefined | null, type: string, id: string): T {
  if (view === undefined || view === null) throw new NotFoundError(type, id);
  return view;
}
