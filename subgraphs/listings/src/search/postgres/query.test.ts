import { randomUUID } from 'node:crypto';
import { buildRemoveSql, buildSearchSql, buildUpsertSql, decodeCursor, encodeCursor, filterConditions, nearCondition } from './query';
import type { ListingDocument, SearchQuery } from '../port';

const query = (overrides: Partial<SearchQuery> = {}): SearchQuery => ({ text: null, filter: {}, first: 20, after: null, ...overrides });
const squash = (sql: string) => sql.replace(/\s+/g, ' ').trim();

describe('PostgreSQL query building', () => {
  it('browses ACTIVE rows newest first without text: no text search, a constant score, one row more than the page', () => {
    const sql = buildSearchSql(query({ first: 5 }));
    const text = squash(sql.text);
    expect(text).toContain('s.status = $1::"ListingStatus"');
    expect(text).toContain('0::numeric AS score');
    expect(text).not.toContain('websearch_to_tsquery');
    expect(text).toContain('ORDER BY m.score DESC, m.created_at DESC, m.id DESC LIMIT $2::int');
    expect(sql.values).toEqual(['ACTIVE', 6]);
  });

  it('matches text by tsvector or, for typos, by trigram word similarity, and scores by both', () => {
    const sql = buildSearchSql(query({ text: 'sunny appartment' }));
    const text = squash(sql.text);
    expect(text).toContain("websearch_to_tsquery('simple', $1)");
    expect(text).toContain('(s.document @@ q.tsq OR q.words <% s.trigram_text)');
    expect(text).toContain('round((ts_rank(s.document, q.tsq) + word_similarity(q.words, s.trigram_text))::numeric, 6)');
    expect(sql.values.slice(0, 2)).toEqual(['sunny appartment', 'sunny appartment']);
  });

  it('binds every filter as a parameter, prices by kind', () => {
    const conditions = filterConditions({ kind: 'SALE', propertyType: 'HOUSE', city: 'Lisbon', minBedrooms: 3, minPrice: '100.00', maxPrice: '200.00' });
    expect(conditions.map((c) => squash(c.sql))).toEqual([
      's.status = ?::"ListingStatus"',
      's.kind = ?::"ListingKind"',
      's.property_type = ?::"PropertyType"',
      'lower(s.city) = lower(?)',
      's.bedrooms >= ?::int',
      "(s.kind = 'SALE' AND s.price >= ?::numeric AND s.price <= ?::numeric)",
    ]);
    expect(conditions.flatMap((c) => c.values)).toEqual(['ACTIVE', 'SALE', 'HOUSE', 'Lisbon', 3, '100.00', '200.00']);
    const [, either] = filterConditions({ minPrice: '50.00' });
    expect(squash(either!.sql)).toBe("((s.kind = 'SALE' AND s.price >= ?::numeric) OR (s.kind = 'RENT' AND s.price_per_night >= ?::numeric))");
  });

  it('narrows a radius search with a bounding box, except across the 180th meridian', () => {
    const lisbon = nearCondition({ latitude: 38.7, longitude: -9.1, radiusKm: 10 });
    expect(squash(lisbon.sql)).toMatch(/^s\.latitude BETWEEN .* AND s\.longitude BETWEEN .* AND 2 \* .*asin/);
    const [latMin, latMax] = lisbon.values as number[];
    expect(latMax! - latMin!).toBeCloseTo(20 / 111.195, 3);
    const fiji = nearCondition({ latitude: -17.7, longitude: 179.9, radiusKm: 50 });
    expect(squash(fiji.sql)).toContain('s.latitude BETWEEN');
    expect(squash(fiji.sql)).not.toContain('s.longitude BETWEEN');
  });

  it('continues after the cursor position with an exact numeric score', () => {
    const position = { score: '0.612345', createdAt: new Date('2026-01-02T03:04:05.678Z'), id: randomUUID() };
    const cursor = encodeCursor(position);
    expect(decodeCursor(cursor)).toEqual(position);
    const sql = buildSearchSql(query({ after: cursor }));
    expect(squash(sql.text)).toContain('WHERE (m.score, m.created_at, m.id) < ($2::numeric, $3::timestamptz, $4::uuid)');
    expect(sql.values.slice(1, 4)).toEqual(['0.612345', position.createdAt, position.id]);
  });

  it('refuses a cursor it did not hand out, including an Elasticsearch one', () => {
    const esCursor = Buffer.from(JSON.stringify(['es', 1.5, Date.now(), randomUUID()])).toString('base64url');
    for (const cursor of ['nope', esCursor]) {
      expect(() => decodeCursor(cursor)).toThrow(expect.objectContaining({ extensions: expect.objectContaining({ code: 'BAD_USER_INPUT' }) }));
    }
  });

  it('upserts a batch as one jsonb parameter, keeping a newer row', () => {
    const doc: ListingDocument = {
      id: randomUUID(),
      title: 'Sunny loft',
      description: 'Top floor.',
      kind: 'RENT',
      propertyType: 'APARTMENT',
      status: 'ACTIVE',
      price: null,
      pricePerNight: 89.5,
      currency: 'EUR',
      city: 'Lisbon',
      country: 'PT',
      zipCode: null,
      bedrooms: 1,
      bathrooms: 1,
      location: { lat: 38.7, lon: -9.1 },
      ownerId: randomUUID(),
      createdAt: new Date('2026-01-01T00:00:00.000Z'),
      updatedAt: new Date('2026-01-02T00:00:00.000Z'),
    };
    const sql = buildUpsertSql([doc]);
    expect(squash(sql.text)).toContain('WHERE listing_search.updated_at <= EXCLUDED.updated_at');
    expect(JSON.parse(sql.values[0] as string)).toEqual([
      expect.objectContaining({ listing_id: doc.id, price_per_night: 89.5, latitude: 38.7, longitude: -9.1, updated_at: '2026-01-02T00:00:00.000Z' }),
    ]);
    const remove = buildRemoveSql([doc.id], doc.updatedAt);
    expect(squash(remove.text)).toBe('DELETE FROM listing_search WHERE listing_id = ANY($1::uuid[]) AND updated_at <= $2::timestamptz');
  });
});
