import { randomUUID } from 'node:crypto';
import {
  buildFacetsSql,
  buildRemoveSql,
  buildSearchSql,
  buildSuggestSql,
  buildTsquerySql,
  buildUpsertSql,
  decodeCursor,
  encodeCursor,
  filterConditions,
  nearCondition,
  termsOf,
} from './query';
import type { ListingDocument, SearchQuery } from '../port';

const query = (overrides: Partial<SearchQuery> = {}): SearchQuery => ({
  text: null,
  filter: {},
  sort: 'RELEVANCE',
  first: 20,
  after: null,
  ...overrides,
});
const squash = (sql: string) => sql.replace(/\s+/g, ' ').trim();

const doc: ListingDocument = {
  id: randomUUID(),
  title: 'Sunny loft in São Bento',
  description: 'Top floor, quiet-ish.',
  kind: 'RENT',
  propertyType: 'APARTMENT',
  status: 'ACTIVE',
  price: null,
  pricePerNight: 89.5,
  currency: 'EUR',
  address: 'Rua do Poço 7',
  city: 'Lisboa',
  neighbourhood: 'Estrela',
  country: 'PT',
  zipCode: '1200-123',
  bedrooms: 1,
  bathrooms: 1,
  areaSqm: 55,
  maxGuests: 3,
  instantBook: true,
  amenities: ['WIFI', 'BALCONY'],
  location: { lat: 38.7, lon: -9.1 },
  ownerId: randomUUID(),
  createdAt: new Date('2026-01-01T00:00:00.000Z'),
  updatedAt: new Date('2026-01-02T00:00:00.000Z'),
};

describe('PostgreSQL query building', () => {
  it('browses newest first without text (the table holds ACTIVE listings only), counting at most one past the cap, one row more than the page', () => {
    const sql = buildSearchSql(query({ first: 5 }));
    const text = squash(sql.text);
    expect(text).not.toContain('tsquery');
    expect(text).toContain('ORDER BY s.created_at DESC, s.listing_id DESC LIMIT');
    expect(sql.values).toEqual([1001, 6]);
  });

  it('expands every query word to indexed words within its edits and requires all of them', () => {
    const sql = buildTsquerySql('quiet gardne');
    const text = squash(sql.text);
    expect(text).toContain('levenshtein_less_equal(t.term');
    expect(text).toContain("|| ' & ' ||");
    // quiet: 1 edit, lengths 4..6; gardne: 2 edits, lengths 4..8.
    expect(sql.values).toEqual(expect.arrayContaining(['quiet', 4, 6, 'gardne', 8]));
  });

  it('carries the tsquery as a value (by relevance, hidden from the planner in a CTE)', () => {
    expect(() => buildSearchSql(query({ text: 'quiet gardne', sort: 'NEWEST' }))).toThrow(/tsquery/);
    // By relevance it can also be expanded inside the one statement.
    expect(squash(buildSearchSql(query({ text: 'quiet gardne' })).text)).toContain('levenshtein_less_equal(t.term');
    const sql = buildSearchSql(query({ text: 'quiet gardne' }), "'quiet' & 'garden'");
    const text = squash(sql.text);
    expect(sql.values).toContain("'quiet' & 'garden'");
    // By relevance every match's keys are gathered once; the count and the page both come from them.
    expect(text).toContain('s.document @@ q.tsq');
    expect(text).toContain('m AS MATERIALIZED ( SELECT s.listing_id AS id, round(ts_rank(s.document, q.tsq)::numeric, 6) AS score');
    expect(text).toContain('ORDER BY m.score DESC, m.k1 DESC, m.k2 DESC');
  });

  it('with text sorted by price, gathers a bounded number of matches (the count comes from them) and ranks only the page', () => {
    const sql = buildSearchSql(query({ text: 'garden', sort: 'PRICE_ASC' }), "'garden'");
    const text = squash(sql.text);
    expect(text).toContain('c AS MATERIALIZED');
    expect(text).toContain('WHERE t.total <= $');
    expect(text).toContain('WHERE t.total > $');
    expect(text).toContain('ORDER BY u.k0 ASC, u.k1 ASC');
    expect(text).not.toContain('m AS MATERIALIZED');
    expect(text).toContain('s.document @@ $');
    expect(sql.values).toEqual(expect.arrayContaining([2001, 2000, 21]));
  });

  it('binds every filter as a parameter and marks the ones with a facet', () => {
    const conditions = filterConditions({
      kind: 'SALE',
      propertyType: 'HOUSE',
      city: 'Lisbôa',
      zipCode: '1200 123',
      minBedrooms: 3,
      amenities: ['POOL'],
      minPrice: '100.00',
      maxPrice: '200.00',
      within: { north: 1, south: 0, east: -179, west: 179 },
    });
    expect(conditions.map((c) => c.facet ?? null)).toEqual(['kind', 'propertyType', null, null, 'bedrooms', 'amenities', 'price', null]);
    expect(conditions.flatMap((c) => c.sql.values)).toEqual([
      'SALE',
      'HOUSE',
      'lisboa',
      '1200123',
      3,
      ['POOL'],
      '100.00',
      '200.00',
      0,
      1,
      179,
      -179,
    ]);
    expect(squash(conditions.at(-1)!.sql.sql)).toContain('(s.longitude >= ?::float8 OR s.longitude <= ?::float8)');
  });

  it('narrows a radius search with a bounding box, except across the 180th meridian', () => {
    const lisbon = nearCondition({ latitude: 38.7, longitude: -9.1, radiusKm: 10 });
    expect(squash(lisbon.text)).toMatch(/^s\.latitude BETWEEN .* AND s\.longitude BETWEEN .* AND \(2 \* .*asin/);
    const fiji = nearCondition({ latitude: -17.7, longitude: 179.9, radiusKm: 50 });
    expect(squash(fiji.text)).not.toContain('s.longitude BETWEEN');
  });

  it('continues after the cursor of the same sort, and refuses one of another sort or backend', () => {
    const id = randomUUID();
    const cursor = encodeCursor('PRICE_ASC', ['120.00', id]);
    const sql = buildSearchSql(query({ sort: 'PRICE_ASC', after: cursor }));
    expect(squash(sql.text)).toContain('(s.amount,s.listing_id) > ($');
    expect(sql.values).toEqual(expect.arrayContaining(['120.00', id]));
    const esCursor = Buffer.from(JSON.stringify(['es', 'PRICE_ASC', 120, id])).toString('base64url');
    for (const bad of ['nope', esCursor, encodeCursor('PRICE_ASC', ['cheap', id])]) {
      expect(() => decodeCursor(bad, query({ sort: 'PRICE_ASC' }))).toThrow(
        expect.objectContaining({ extensions: expect.objectContaining({ code: 'BAD_USER_INPUT' }) }),
      );
    }
    expect(() => decodeCursor(cursor, query({ sort: 'PRICE_DESC' }))).toThrow(
      expect.objectContaining({ extensions: expect.objectContaining({ code: 'BAD_USER_INPUT' }) }),
    );
  });

  it('counts each facet without its own filter: with text from one scan, without from one aggregate each', () => {
    const plain = squash(buildFacetsSql(query({ filter: { kind: 'RENT', minBedrooms: 2 } })).text);
    expect(plain).toContain("SELECT 'kind', s.kind::text, count(*)::int FROM listing_search s WHERE s.bedrooms >= $");
    expect(plain).not.toContain('MATERIALIZED');
    const text = squash(buildFacetsSql(query({ text: 'garden', filter: { kind: 'RENT', minBedrooms: 2, city: 'Lisbon' } })).text);
    expect(text).toContain('AS f_kind');
    expect(text).toContain('AS f_bedrooms');
    expect(text).toContain("SELECT 'kind', b.kind::text, count(*)::int FROM b WHERE b.f_bedrooms GROUP BY 2");
    expect(text).toContain("SELECT 'bedrooms', b.bedrooms::text, count(*)::int FROM b WHERE b.f_kind GROUP BY 2");
  });

  it('suggests by a folded, escaped prefix', () => {
    expect(buildSuggestSql('Sã_o%', 5).values).toEqual(['sa\\_o\\%%', 5, 'sa\\_o\\%%', 5, 'sa\\_o\\%%', 5]);
  });

  it('upserts a batch as one jsonb parameter with folded keys and words, keeping a newer row', () => {
    const sql = buildUpsertSql([doc]);
    expect(squash(sql.text)).toContain('WHERE listing_search.updated_at <= EXCLUDED.updated_at');
    expect(JSON.parse(sql.values[0] as string)).toEqual([
      expect.objectContaining({
        listing_id: doc.id,
        amount: 89.5,
        city_key: 'lisboa',
        title_key: 'sunny loft in sao bento',
        zip_key: '1200123',
        title_words: 'sunny loft in sao bento',
        place_words: 'lisboa estrela rua do poco 7 1200 123',
        description_words: 'top floor quiet ish',
        amenities: ['WIFI', 'BALCONY'],
      }),
    ]);
    expect(termsOf([doc])).toContain('poco');
    expect(squash(buildRemoveSql([doc.id], doc.updatedAt).text)).toBe(
      'DELETE FROM listing_search WHERE listing_id = ANY($1::uuid[]) AND updated_at <= $2::timestamptz',
    );
  });
});
