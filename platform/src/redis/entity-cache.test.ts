import { MemoryCache } from './cache';
import { EntityCache, type EntityCodec } from './entity-cache';

interface Thing {
  id: string;
  name: string;
  at: Date;
}
type CachedThing = Omit<Thing, 'at'> & { at: string };

const codec: EntityCodec<Thing, CachedThing> = {
  key: (id) => `thing:v1:${id}`,
  toCached: (thing) => ({ ...thing, at: thing.at.toISOString() }),
  fromCached: (cached) => ({ ...cached, at: new Date(cached.at) }),
};

const A = '0b7e6a52-1c1f-4f55-9c1e-7f3a3d0e2a11';
const B = 'c2f1d2a0-5e3b-4b9a-9d2e-1a2b3c4d5e6f';
const MISSING = '9f0c1b7e-2d3a-4c5b-8e6f-7a8b9c0d1e2f';

function setup() {
  const rows = new Map<string, Thing>([
    [A, { id: A, name: 'a', at: new Date('2026-01-01T00:00:00.000Z') }],
    [B, { id: B, name: 'b', at: new Date('2026-01-02T00:00:00.000Z') }],
  ]);
  const queries: string[][] = [];
  const source = {
    findByIds: async (ids: string[]) => {
      queries.push(ids);
      return ids.flatMap((id) => (rows.has(id) ? [{ ...rows.get(id)! }] : []));
    },
  };
  const cache = new MemoryCache();
  return { rows, queries, cache, things: new EntityCache(source, cache, codec, 60) };
}

describe('EntityCache', () => {
  it('reads misses in one query, then serves them from the cache with their dates restored', async () => {
    const { things, queries } = setup();
    const first = await things.findByIds([A, B, A, MISSING]);
    expect(first.map((t) => t.id)).toEqual([A, B]);
    expect(queries).toEqual([[A, B, MISSING]]);
    const again = await things.findByIds([B, A]);
    expect(again).toEqual([
      { id: B, name: 'b', at: new Date('2026-01-02T00:00:00.000Z') },
      { id: A, name: 'a', at: new Date('2026-01-01T00:00:00.000Z') },
    ]);
    expect(queries).toEqual([[A, B, MISSING]]);
  });

  it('does not cache what does not exist, and never queries ids that are not uuids', async () => {
    const { things, queries } = setup();
    expect(await things.findByIds(['not-a-uuid', "'; DROP TABLE things; --"])).toEqual([]);
    expect(queries).toEqual([]);
    await things.findByIds([MISSING]);
    await things.findByIds([MISSING]);
    expect(queries).toEqual([[MISSING], [MISSING]]);
  });

  it('reads an invalidated entity from the source again, under its versioned key', async () => {
    const { things, queries, rows, cache } = setup();
    await things.findByIds([A]);
    expect(await cache.get(`thing:v1:${A}`)).toMatchObject({ id: A, at: '2026-01-01T00:00:00.000Z' });
    rows.set(A, { id: A, name: 'renamed', at: new Date('2026-01-01T00:00:00.000Z') });
    await things.invalidate(A);
    expect((await things.findByIds([A]))[0]?.name).toBe('renamed');
    expect(queries).toEqual([[A], [A]]);
  });
});
