import type { Redis } from 'ioredis';
import type { Logger } from '../logger';
import { LogThrottle, REDIS_CONNECTION_DEFAULTS, describeError } from './connection';

/**
 * A read-through cache of JSON values. Values come back as `JSON.parse(JSON.stringify(value))`
 * in every adapter (a Date comes back as a string), so code that works embedded works in
 * production. `undefined` is never cached; `null` is. Invalidate by `delete` from event handlers;
 * the TTL bounds staleness when an invalidation is lost (for example during a Redis outage).
 */
export interface Cache {
  /** The cached value, or undefined on a miss or when the cache is unavailable. */
  get<T>(key: string): Promise<T | undefined>;
  set<T>(key: string, value: T, ttlSeconds: number): Promise<void>;
  delete(...keys: string[]): Promise<void>;
  /**
   * The cached value, or the loader's, which is then cached. Concurrent calls for one key in this
   * process share one lookup and one loader call; the result is shared too, so treat it as
   * read-only. A loader error reaches every waiter and nothing is cached.
   */
  getOrLoad<T>(key: string, ttlSeconds: number, loader: () => Promise<T>): Promise<T>;
  /** The cached values of many keys in one round trip, in the order of `keys`; undefined where `get` would say so. */
  getMany<T>(keys: readonly string[]): Promise<(T | undefined)[]>;
  /**
   * `getOrLoad` for many keys with one lookup and at most one loader call: the loader gets the keys
   * that missed (never called when none did) and answers a map by key; those values are cached.
   * A key it leaves out comes back undefined and is not cached (a row that does not exist). Keys
   * already being loaded in this process join that load. Results follow the order of `keys`.
   */
  getOrLoadMany<T>(
    keys: readonly string[],
    ttlSeconds: number,
    loader: (missing: string[]) => Promise<ReadonlyMap<string, T>>,
  ): Promise<(T | undefined)[]>;
}

/** What a store found: a value, nothing, or no answer at all (the store is down). */
type Lookup<T> = { value: T } | 'miss' | 'unavailable';

interface Flight {
  promise: Promise<unknown>;
  /** Set by delete/set while the flight is loading: its value is older than the invalidation. */
  stale: boolean;
}

function assertTtl(ttlSeconds: number) {
  if (!(ttlSeconds > 0 && Number.isFinite(ttlSeconds))) {
    throw new RangeError(`cache TTL must be a positive number of seconds, got ${ttlSeconds}`);
  }
}

const toTtlMs = (ttlSeconds: number) => Math.max(1, Math.round(ttlSeconds * 1000));

/** Single-flight and invalidation bookkeeping shared by the adapters. */
abstract class SingleFlightCache implements Cache {
  private readonly flights = new Map<string, Flight>();

  protected abstract lookup<T>(key: string): Promise<Lookup<T>>;
  /** One answer per key, in order; a store that is down answers 'unavailable' for all of them. */
  protected abstract lookupMany<T>(keys: string[]): Promise<Lookup<T>[]>;
  protected abstract store(key: string, json: string, ttlMs: number): Promise<void>;
  protected abstract storeMany(entries: [key: string, json: string][], ttlMs: number): Promise<void>;
  protected abstract remove(keys: string[]): Promise<void>;

  async get<T>(key: string): Promise<T | undefined> {
    const found = await this.lookup<T>(key);
    return typeof found === 'object' ? found.value : undefined;
  }

  async set<T>(key: string, value: T, ttlSeconds: number): Promise<void> {
    assertTtl(ttlSeconds);
    this.invalidateFlight(key);
    await this.write(key, value, ttlSeconds);
  }

  async delete(...keys: string[]): Promise<void> {
    if (keys.length === 0) return;
    for (const key of keys) this.invalidateFlight(key);
    await this.remove(keys);
  }

  getOrLoad<T>(key: string, ttlSeconds: number, loader: () => Promise<T>): Promise<T> {
    try {
      assertTtl(ttlSeconds);
    } catch (err) {
      return Promise.reject(err);
    }
    const current = this.flights.get(key);
    if (current) return current.promise as Promise<T>;
    const flight: Flight = { promise: Promise.resolve(), stale: false };
    flight.promise = (async () => {
      try {
        const found = await this.lookup<T>(key);
        if (typeof found === 'object') return found.value;
        const value = await loader();
        // Skip the write when the store just failed to answer: it would only fail (or time out) again.
        if (found === 'miss' && !flight.stale) await this.write(key, value, ttlSeconds);
        return value;
      } finally {
        if (this.flights.get(key) === flight) this.flights.delete(key);
      }
    })();
    this.flights.set(key, flight);
    return flight.promise as Promise<T>;
  }

  async getMany<T>(keys: readonly string[]): Promise<(T | undefined)[]> {
    if (keys.length === 0) return [];
    const found = await this.lookupMany<T>([...keys]);
    return found.map((f) => (typeof f === 'object' ? f.value : undefined));
  }

  getOrLoadMany<T>(
    keys: readonly string[],
    ttlSeconds: number,
    loader: (missing: string[]) => Promise<ReadonlyMap<string, T>>,
  ): Promise<(T | undefined)[]> {
    try {
      assertTtl(ttlSeconds);
    } catch (err) {
      return Promise.reject(err);
    }
    const pending = new Map<string, Promise<unknown>>();
    const mine = new Map<string, Flight>();
    for (const key of keys) {
      if (pending.has(key)) continue;
      const current = this.flights.get(key);
      if (current) {
        pending.set(key, current.promise);
        continue;
      }
      const flight: Flight = { promise: Promise.resolve(), stale: false };
      mine.set(key, flight);
      pending.set(key, flight.promise);
    }
    if (mine.size > 0) {
      const batch = this.loadMany(mine, ttlSeconds, loader);
      for (const [key, flight] of mine) {
        flight.promise = batch
          .then((values) => values.get(key))
          .finally(() => {
            if (this.flights.get(key) === flight) this.flights.delete(key);
          });
        this.flights.set(key, flight);
        pending.set(key, flight.promise);
      }
    }
    // Every flight promise is awaited here, so a loader error reaches the caller and nothing is left unhandled.
    return Promise.all(keys.map((key) => pending.get(key))) as Promise<(T | undefined)[]>;
  }

  private async loadMany<T>(
    flights: Map<string, Flight>,
    ttlSeconds: number,
    loader: (missing: string[]) => Promise<ReadonlyMap<string, T>>,
  ): Promise<Map<string, T | undefined>> {
    const keys = [...flights.keys()];
    const found = await this.lookupMany<T>(keys);
    const values = new Map<string, T | undefined>();
    const missing: string[] = [];
    const writable = new Set<string>();
    keys.forEach((key, i) => {
      const hit = found[i];
      if (typeof hit === 'object') {
        values.set(key, hit.value);
        return;
      }
      missing.push(key);
      // As in getOrLoad: no write after the store failed to answer.
      if (hit === 'miss') writable.add(key);
    });
    if (missing.length === 0) return values;
    const loaded = await loader(missing);
    const writes: [string, string][] = [];
    for (const key of missing) {
      const value = loaded.get(key);
      values.set(key, value);
      if (!writable.has(key) || flights.get(key)?.stale) continue;
      const json = JSON.stringify(value);
      if (json !== undefined) writes.push([key, json]);
    }
    if (writes.length > 0) await this.storeMany(writes, toTtlMs(ttlSeconds));
    return values;
  }

  private async write(key: string, value: unknown, ttlSeconds: number): Promise<void> {
    const json = JSON.stringify(value);
    if (json === undefined) return;
    await this.store(key, json, toTtlMs(ttlSeconds));
  }

  private invalidateFlight(key: string) {
    const flight = this.flights.get(key);
    if (!flight) return;
    flight.stale = true;
    this.flights.delete(key);
  }
}

export interface RedisCacheOptions {
  /** Namespace of this cache's keys, for example `market:listings:cache:`. */
  prefix: string;
  logIntervalMs?: number;
}

/**
 * The production cache. Redis is an accelerator here, never a dependency: on any Redis error the
 * cache is bypassed (a miss for reads, a no-op for writes) with a rate-limited warning, and the
 * request is served from the source.
 */
export class RedisCache extends SingleFlightCache {
  private readonly prefix: string;
  private readonly throttle: LogThrottle;

  constructor(
    private readonly client: Redis,
    private readonly logger: Logger,
    options: RedisCacheOptions,
  ) {
    super();
    this.prefix = options.prefix;
    this.throttle = new LogThrottle(options.logIntervalMs ?? REDIS_CONNECTION_DEFAULTS.logIntervalMs);
  }

  protected async lookup<T>(key: string): Promise<Lookup<T>> {
    let raw: string | null;
    try {
      raw = await this.client.get(this.prefix + key);
    } catch (err) {
      this.bypassed('get', err);
      return 'unavailable';
    }
    return this.parse<T>(raw);
  }

  protected async lookupMany<T>(keys: string[]): Promise<Lookup<T>[]> {
    let raws: (string | null)[];
    try {
      raws = await this.client.mget(keys.map((k) => this.prefix + k));
    } catch (err) {
      this.bypassed('get', err);
      return keys.map(() => 'unavailable');
    }
    return raws.map((raw) => this.parse<T>(raw));
  }

  protected async store(key: string, json: string, ttlMs: number): Promise<void> {
    try {
      await this.client.set(this.prefix + key, json, 'PX', ttlMs);
    } catch (err) {
      this.bypassed('set', err);
    }
  }

  protected async storeMany(entries: [string, string][], ttlMs: number): Promise<void> {
    // MSET takes no TTL: one pipelined SET PX per key, a single round trip.
    const pipeline = this.client.pipeline();
    for (const [key, json] of entries) pipeline.set(this.prefix + key, json, 'PX', ttlMs);
    try {
      const failed = (await pipeline.exec())?.find(([err]) => err);
      if (failed) this.bypassed('set', failed[0]);
    } catch (err) {
      this.bypassed('set', err);
    }
  }

  private parse<T>(raw: string | null): Lookup<T> {
    if (raw === null) return 'miss';
    try {
      return { value: JSON.parse(raw) as T };
    } catch {
      this.throttle.log(this.logger, 'warn', 'corrupt', { cache: this.prefix }, 'cache entry is not JSON; treated as a miss');
      return 'miss';
    }
  }

  protected async remove(keys: string[]): Promise<void> {
    try {
      await this.client.unlink(...keys.map((k) => this.prefix + k));
    } catch (err) {
      this.bypassed('delete', err);
    }
  }

  private bypassed(op: 'get' | 'set' | 'delete', err: unknown) {
    this.throttle.log(
      this.logger,
      'warn',
      op,
      { cache: this.prefix, op, error: describeError(err) },
      'redis cache unavailable; bypassed (requests are served from the source)',
    );
  }
}

export interface MemoryCacheOptions {
  /** The least recently used entry is evicted beyond this many. */
  maxEntries?: number;
  now?: () => number;
}

/** The embedded-mode cache: a bounded LRU with per-entry TTL, in this process. */
export class MemoryCache extends SingleFlightCache {
  /** Map order is recency order: a read moves the entry to the end. */
  private readonly entries = new Map<string, { json: string; expiresAt: number }>();
  private readonly maxEntries: number;
  private readonly now: () => number;

  constructor(options: MemoryCacheOptions = {}) {
    super();
    this.maxEntries = options.maxEntries ?? 10_000;
    this.now = options.now ?? Date.now;
    if (!(this.maxEntries >= 1)) throw new RangeError('maxEntries must be at least 1');
  }

  get size(): number {
    return this.entries.size;
  }

  protected async lookup<T>(key: string): Promise<Lookup<T>> {
    const entry = this.entries.get(key);
    if (!entry) return 'miss';
    this.entries.delete(key);
    if (entry.expiresAt <= this.now()) return 'miss';
    this.entries.set(key, entry);
    return { value: JSON.parse(entry.json) as T };
  }

  protected async lookupMany<T>(keys: string[]): Promise<Lookup<T>[]> {
    return Promise.all(keys.map((key) => this.lookup<T>(key)));
  }

  protected async store(key: string, json: string, ttlMs: number): Promise<void> {
    this.entries.delete(key);
    this.entries.set(key, { json, expiresAt: this.now() + ttlMs });
    for (const oldest of this.entries.keys()) {
      if (this.entries.size <= this.maxEntries) break;
      this.entries.delete(oldest);
    }
  }

  protected async storeMany(entries: [string, string][], ttlMs: number): Promise<void> {
    for (const [key, json] of entries) await this.store(key, json, ttlMs);
  }

  protected async remove(keys: string[]): Promise<void> {
    for (const key of keys) this.entries.delete(key);
  }
}
