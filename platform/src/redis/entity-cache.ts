import { isUuid } from '../ids';
import type { Cache } from './cache';

/** How an entity is stored in the cache and read back (the cache holds JSON: instants become strings). */
export interface EntityCodec<T, C> {
  /**
   * The entry's key. Put a version in it (`user:v1:<id>`), so a deploy that changes the cached
   * shape never reads the old one.
   */
  key(id: string): string;
  toCached(entity: T): C;
  fromCached(cached: C): T;
}

/** Where a miss is read from: one query for all the ids that missed. */
export interface EntitySource<T> {
  findByIds(ids: string[]): Promise<T[]>;
}

/**
 * Entities by id, read through the cache (Redis, shared by every replica; in-process without it):
 * one multi-get, then one query for the ids that missed. Entities that do not exist are not
 * cached, and ids that are not uuids name nothing. Every change deletes the entry (right after the
 * commit, and again when its event arrives), so the TTL only bounds staleness when an
 * invalidation is lost, for example while Redis is down.
 */
export class EntityCache<T extends { id: string }, C> {
  constructor(
    private readonly source: EntitySource<T>,
    private readonly cache: Cache,
    private readonly codec: EntityCodec<T, C>,
    private readonly ttlSeconds: number,
  ) {}

  async findByIds(ids: readonly string[]): Promise<T[]> {
    const wanted = [...new Set(ids.filter(isUuid))];
    if (wanted.length === 0) return [];
    const idOfKey = new Map(wanted.map((id) => [this.codec.key(id), id]));
    const cached = await this.cache.getOrLoadMany<C>([...idOfKey.keys()], this.ttlSeconds, async (missing) => {
      const rows = await this.source.findByIds(missing.map((key) => idOfKey.get(key) as string));
      return new Map(rows.map((entity) => [this.codec.key(entity.id), this.codec.toCached(entity)]));
    });
    return cached.filter((entry): entry is C => entry !== undefined).map((entry) => this.codec.fromCached(entry));
  }

  /** After a change committed: the next read of these entities goes to the source. */
  async invalidate(...ids: string[]): Promise<void> {
    await this.cache.delete(...ids.map((id) => this.codec.key(id)));
  }
}
