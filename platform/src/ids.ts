const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Entity ids are uuids and arrive from clients and events as plain strings. One that is not a
 * uuid names nothing, and must never reach a uuid column: PostgreSQL would fail the whole query.
 */
export function isUuid(value: string): boolean {
  return UUID.test(value);
}

/** Keeps the ids a uuid column can hold, in their order. */
export function uuidsOnly(ids: readonly string[]): string[] {
  return ids.filter(isUuid);
}
