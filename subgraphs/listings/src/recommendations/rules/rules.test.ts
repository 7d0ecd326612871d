import { interactionDelta, cooccurrenceSimilarity, type AffinityEntry } from './interactions';
import { contentSimilarity, rankForUser, type ListingFeatures } from './scoring';

const listing = (id: string, overrides: Partial<ListingFeatures> = {}): ListingFeatures => ({
  id,
  ownerId: 'o',
  kind: 'SALE',
  propertyType: 'HOUSE',
  amount: 300_000,
  latitude: 38.7,
  longitude: -9.1,
  bedrooms: 2,
  active: true,
  ...overrides,
});

describe('interactionDelta', () => {
  it('adds exactly min(new, other) - min(old, other) to each pair, and nothing for a weaker interaction', () => {
    const history: AffinityEntry[] = [
      { listingId: 'a', affinity: 1 },
      { listingId: 'b', affinity: 5 },
      { listingId: 'x', affinity: 1 },
    ];
    const delta = interactionDelta(history, 'x', 'FAVORITE');
    expect(delta).toEqual({ listingId: 'x', affinity: 3, popularityDelta: 2, newUsers: 0, pairs: [{ otherId: 'b', delta: 2 }] });
    expect(interactionDelta(history, 'b', 'VIEW')).toBeNull();
    expect(interactionDelta([], 'n', 'VIEW')).toEqual({ listingId: 'n', affinity: 1, popularityDelta: 1, newUsers: 1, pairs: [] });
  });

  it('similarity is a weighted cosine', () => {
    expect(cooccurrenceSimilarity(2, 4, 1)).toBe(1);
    expect(cooccurrenceSimilarity(2, 0, 1)).toBe(0);
  });
});

describe('scoring', () => {
  it('content similarity is nothing across kinds and falls with distance and price', () => {
    const a = listing('a');
    expect(contentSimilarity(a, listing('b', { kind: 'RENT', amount: 90 }))).toBe(0);
    expect(contentSimilarity(a, listing('c'))).toBeCloseTo(1);
    expect(contentSimilarity(a, listing('d', { latitude: 38.9 }))).toBeLessThan(contentSimilarity(a, listing('e', { latitude: 38.71 })));
    expect(contentSimilarity(a, listing('f', { amount: 900_000 }))).toBeLessThan(contentSimilarity(a, listing('g', { amount: 320_000 })));
  });

  it('ranks co-occurring candidates first under CF and alike ones under content', () => {
    const h = listing('h');
    const co = listing('co', { propertyType: 'LAND', amount: 50_000, latitude: 39.5 });
    const alike = listing('alike');
    const input = {
      history: [{ listingId: 'h', affinity: 3 }],
      features: new Map([['h', h]]),
      candidates: [alike, co],
      cooccurrence: new Map([['h', new Map([['co', 3]])]]),
      norms: new Map([
        ['h', 3],
        ['co', 3],
      ]),
      area: null,
    };
    expect(rankForUser({ ...input, weights: { cf: 1, content: 0, popularity: 0 } })[0]?.id).toBe('co');
    expect(rankForUser({ ...input, weights: { cf: 0, content: 1, popularity: 0 } })[0]?.id).toBe('alike');
  });
});
