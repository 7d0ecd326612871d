import { MemoryCache } from './cache';

function clock(start = 1_000_000) {
  let now = start;
  return { now: () => now, advance: (ms: number) => (now += ms) };
}

describe('MemoryCache', () => {
  it('returns what was set, as a JSON copy, until the TTL passes', async () => {
    const time = clock();
    const cache = new MemoryCache({ now: time.now });
    const value = { id: 'l1', at: new Date(0), nested: { n: 1 } };
    await cache.set('listing:l1', value, 10);
    const got = await cache.get<Record<string, unknown>>('listing:l1');
    expect(got).toEqual({ id: 'l1', at: '1970-01-01T00:00:00.000Z', nested: { n: 1 } });
    expect(got).not.toBe(value);
    time.advance(9_999);
    expect(await cache.get('listing:l1')).toBeDefined();
    time.advance(1);
    expect(await cache.get('listing:l1')).toBeUndefined();
  });

  it('caches null but never undefined', async () => {
    const cache = new MemoryCache();
    await cache.set('a', null, 10);
    expect(await cache.get('a')).toBeNull();
    const loader = jest.fn(async () => undefined);
    expect(await cache.getOrLoad('b', 10, loader)).toBeUndefined();
    expect(await cache.getOrLoad('b', 10, loader)).toBeUndefined();
    expect(loader).toHaveBeenCalledTimes(2);
  });

  it('evicts the least recently used entry beyond maxEntries', async () => {
    const cache = new MemoryCache({ maxEntries: 3 });
    for (const k of ['a', 'b', 'c']) await cache.set(k, k, 60);
    await cache.get('a'); // a becomes the most recent; b is now the oldest
    await cache.set('d', 'd', 60);
    expect(cache.size).toBe(3);
    expect(await cache.get('b')).toBeUndefined();
    expect(await cache.get('a')).toBe('a');
    expect(await cache.get('c')).toBe('c');
    expect(await cache.get('d')).toBe('d');
  });

  it('stays bounded under many distinct keys', async () => {
    const cache = new MemoryCache({ maxEntries: 100 });
    for (let i = 0; i < 5_000; i++) await cache.set(`k${i}`, i, 60);
    expect(cache.size).toBe(100);
    expect(await cache.get('k4999')).toBe(4999);
    expect(await cache.get('k0')).toBeUndefined();
  });

  it('deletes several keys at once', async () => {
    const cache = new MemoryCache();
    await cache.set('a', 1, 60);
    await cache.set('b', 2, 60);
    await cache.set('c', 3, 60);
    await cache.delete('a', 'b');
    await cache.delete();
    expect([await cache.get('a'), await cache.get('b'), await cache.get('c')]).toEqual([undefined, undefined, 3]);
  });

  it('getOrLoad loads once for concurrent callers, then serves from the cache', async () => {
    const cache = new MemoryCache();
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const loader = jest.fn(async () => {
      await gate;
      return { title: 'Flat in Lyon' };
    });
    const calls = Array.from({ length: 20 }, () => cache.getOrLoad('listing:1', 60, loader));
    release();
    const results = await Promise.all(calls);
    expect(results.every((r) => r.title === 'Flat in Lyon')).toBe(true);
    expect(await cache.getOrLoad('listing:1', 60, loader)).toEqual({ title: 'Flat in Lyon' });
    expect(loader).toHaveBeenCalledTimes(1);
  });

  it('a failing loader reaches every waiter, caches nothing, and the next call retries', async () => {
    const cache = new MemoryCache();
    const failing = jest.fn(async () => {
      throw new Error('database down');
    });
    const results = await Promise.allSettled([cache.getOrLoad('k', 60, failing), cache.getOrLoad('k', 60, failing)]);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected']);
    expect(failing).toHaveBeenCalledTimes(1);
    expect(await cache.getOrLoad('k', 60, async () => 'ok')).toBe('ok');
  });

  it('a delete during a load keeps the loaded (now stale) value out of the cache', async () => {
    const cache = new MemoryCache();
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const load = cache.getOrLoad('listing:1', 60, async () => {
      await gate;
      return 'old price';
    });
    await new Promise((r) => setImmediate(r));
    await cache.delete('listing:1'); // an event handler invalidates while the old row is being read
    release();
    expect(await load).toBe('old price');
    expect(await cache.get('listing:1')).toBeUndefined();
    expect(await cache.getOrLoad('listing:1', 60, async () => 'new price')).toBe('new price');
  });

  it('refuses a TTL that is not a positive number', async () => {
    const cache = new MemoryCache();
    await expect(cache.set('a', 1, 0)).rejects.toThrow(RangeError);
    await expect(cache.getOrLoad('a', Number.NaN, async () => 1)).rejects.toThrow(RangeError);
  });

  it('getMany answers many keys in order, undefined for misses and expired entries', async () => {
    const time = clock();
    const cache = new MemoryCache({ now: time.now });
    await cache.set('a', { n: 1 }, 10);
    await cache.set('c', null, 60);
    await cache.set('short', 's', 1);
    time.advance(1_000);
    expect(await cache.getMany(['c', 'missing', 'a', 'short', 'a'])).toEqual([null, undefined, { n: 1 }, undefined, { n: 1 }]);
    expect(await cache.getMany([])).toEqual([]);
  });

  describe('getOrLoadMany', () => {
    const byKey = <T>(entries: [string, T][]) => new Map(entries);

    it('loads only the misses, in one call, caches them, and then loads nothing', async () => {
      const cache = new MemoryCache();
      await cache.set('u:1', { name: 'cached' }, 60);
      const loader = jest.fn(async (missing: string[]) => byKey(missing.map((k) => [k, { name: `loaded ${k}` }])));
      const keys = ['u:2', 'u:1', 'u:3', 'u:2'];
      expect(await cache.getOrLoadMany(keys, 60, loader)).toEqual([
        { name: 'loaded u:2' },
        { name: 'cached' },
        { name: 'loaded u:3' },
        { name: 'loaded u:2' },
      ]);
      expect(loader).toHaveBeenCalledTimes(1);
      expect(loader).toHaveBeenCalledWith(['u:2', 'u:3']);
      expect(await cache.getOrLoadMany(keys, 60, loader)).toEqual([
        { name: 'loaded u:2' },
        { name: 'cached' },
        { name: 'loaded u:3' },
        { name: 'loaded u:2' },
      ]);
      expect(loader).toHaveBeenCalledTimes(1);
      expect(await cache.get('u:3')).toEqual({ name: 'loaded u:3' });
    });

    it('answers undefined for keys the loader leaves out, and does not cache them', async () => {
      const cache = new MemoryCache();
      const loader = jest.fn(async (missing: string[]) => byKey(missing.filter((k) => k !== 'gone').map((k) => [k, k.toUpperCase()])));
      expect(await cache.getOrLoadMany(['a', 'gone', 'b'], 60, loader)).toEqual(['A', undefined, 'B']);
      expect(await cache.getOrLoadMany(['gone'], 60, loader)).toEqual([undefined]);
      expect(loader).toHaveBeenCalledTimes(2);
      expect(loader).toHaveBeenLastCalledWith(['gone']);
      expect(cache.size).toBe(2);
    });

    it('expires what it cached after the TTL', async () => {
      const time = clock();
      const cache = new MemoryCache({ now: time.now });
      let version = 0;
      const loader = async (missing: string[]) => byKey(missing.map((k) => [k, ++version]));
      expect(await cache.getOrLoadMany(['k'], 5, loader)).toEqual([1]);
      time.advance(4_999);
      expect(await cache.getOrLoadMany(['k'], 5, loader)).toEqual([1]);
      time.advance(1);
      expect(await cache.getOrLoadMany(['k'], 5, loader)).toEqual([2]);
    });

    it('joins loads already under way in this process instead of loading those keys again', async () => {
      const cache = new MemoryCache();
      let release!: () => void;
      const gate = new Promise<void>((r) => (release = r));
      const slow = jest.fn(async (missing: string[]) => {
        await gate;
        return byKey(missing.map((k) => [k, `slow ${k}`]));
      });
      const fast = jest.fn(async (missing: string[]) => byKey(missing.map((k) => [k, `fast ${k}`])));
      const first = cache.getOrLoadMany(['a', 'b'], 60, slow);
      await new Promise((r) => setImmediate(r));
      const single = cache.getOrLoad('a', 60, async () => 'single');
      const second = cache.getOrLoadMany(['b', 'c'], 60, fast);
      release();
      expect(await first).toEqual(['slow a', 'slow b']);
      expect(await single).toBe('slow a');
      expect(await second).toEqual(['slow b', 'fast c']);
      expect(slow).toHaveBeenCalledTimes(1);
      expect(fast).toHaveBeenCalledWith(['c']);
    });

    it('a delete during the load keeps that key out of the cache (its value is stale), and only that key', async () => {
      const cache = new MemoryCache();
      let release!: () => void;
      const gate = new Promise<void>((r) => (release = r));
      const load = cache.getOrLoadMany(['l:1', 'l:2'], 60, async (missing) => {
        await gate;
        return byKey(missing.map((k) => [k, 'old price']));
      });
      await new Promise((r) => setImmediate(r));
      await cache.delete('l:1'); // an event handler invalidates while the old rows are being read
      release();
      expect(await load).toEqual(['old price', 'old price']);
      expect(await cache.getMany(['l:1', 'l:2'])).toEqual([undefined, 'old price']);
    });

    it('a failing loader reaches the caller and every joined waiter, caches nothing, and the next call retries', async () => {
      const cache = new MemoryCache();
      const failing = jest.fn(async (): Promise<Map<string, string>> => {
        await new Promise((r) => setImmediate(r));
        throw new Error('database down');
      });
      const results = await Promise.allSettled([cache.getOrLoadMany(['a', 'b'], 60, failing), cache.getOrLoad('b', 60, async () => 'x')]);
      expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected']);
      expect(failing).toHaveBeenCalledTimes(1);
      expect(cache.size).toBe(0);
      expect(await cache.getOrLoadMany(['a', 'b'], 60, async (missing) => byKey(missing.map((k) => [k, 'ok'])))).toEqual(['ok', 'ok']);
    });

    it('never calls the loader for no keys, and refuses a bad TTL', async () => {
      const cache = new MemoryCache();
      const loader = jest.fn(async () => new Map<string, number>());
      expect(await cache.getOrLoadMany([], 60, loader)).toEqual([]);
      expect(loader).not.toHaveBeenCalled();
      await expect(cache.getOrLoadMany(['a'], 0, loader)).rejects.toThrow(RangeError);
    });
  });
});
