/**
 * What the clients of the side-by-side benchmark send: (a) one identical query from every client,
 * (b) a mix with varied variables. Each request knows how to check its own answer, so a gateway
 * that returned another caller's data (or nothing) counts an error, not a fast answer.
 */
import { CITIES } from '../../stack/src/embedded/seed-data';

export interface Fixture {
  /** Signed-in users: their access token and id. */
  users: { id: string; token: string; role: string }[];
  listingIds: string[];
}

export interface BenchRequest {
  body: string;
  token: string | null;
  /** Null when the answer is right; else what is wrong with it. */
  check(result: GraphQLResult): string | null;
}

export interface GraphQLResult {
  data?: Record<string, any> | null;
  errors?: { message: string; extensions?: Record<string, unknown> }[];
}

export type Workload = (fixture: Fixture) => BenchRequest;

const noErrors = (result: GraphQLResult): string | null =>
  result.errors?.length
    ? `errors: ${result.errors
        .map((e) => e.message)
        .join('; ')
        .slice(0, 200)}`
    : !result.data
      ? 'no data'
      : null;

export const LISTINGS_PAGE = `query ListingsPage { listings(first: 20) { edges { node { id title price bedrooms address { city } owner { id name } } } } }`;

const SEARCH = `query Search($text: String, $filter: ListingSearchFilter, $first: Int) {
  searchListings(text: $text, filter: $filter, first: $first) { totalCount edges { node { id title price address { city } owner { name } } } }
}`;
const LISTING = `query Listing($id: ID!) {
  listing(id: $id) { id title description price bedrooms bathrooms address { city } owner { id name followerCount } posts { id body author { id name } } }
}`;
const ME = `query Me { me { id name email role stays { id } viewings { id } posts { id } instances { id } listings { id } conversations { id } } }`;
const SAVE = `mutation Save($id: ID!) { saveListing(listingId: $id) { id } }`;

const pick = <T>(items: readonly T[]): T => items[Math.floor(Math.random() * items.length)] as T;
const body = (query: string, variables?: Record<string, unknown>) => JSON.stringify(variables ? { query, variables } : { query });

/** (a) Every client asks for the same listings page, anonymously. */
export const identical: Workload = () => ({ body: body(LISTINGS_PAGE), token: null, check: noErrors });

/** (b) 40% anonymous searches with random filters, 35% listing details by random id, 20% signed-in `me` across all six subgraphs, 5% a write. */
export const mix: Workload = (fixture) => {
  const r = Math.random();
  if (r < 0.4) {
    const filter: Record<string, unknown> = {};
    if (Math.random() < 0.7) filter['city'] = pick(CITIES).name;
    if (Math.random() < 0.5) filter['kind'] = pick(['SALE', 'RENT']);
    if (Math.random() < 0.3) filter['minBedrooms'] = pick([1, 2, 3]);
    if (Math.random() < 0.3) filter['propertyType'] = pick(['HOUSE', 'APARTMENT', 'CONDO']);
    const text = Math.random() < 0.3 ? pick(['garden', 'river', 'quiet', 'balcony', 'modern']) : undefined;
    return { body: body(SEARCH, { text, filter, first: pick([10, 20]) }), token: null, check: noErrors };
  }
  if (r < 0.75) {
    const id = pick(fixture.listingIds);
    return {
      body: body(LISTING, { id }),
      token: null,
      check: (result) =>
        noErrors(result) ?? (result.data?.['listing']?.id === id ? null : `listing ${id} answered as ${result.data?.['listing']?.id}`),
    };
  }
  const user = pick(fixture.users);
  if (r < 0.95) {
    return {
      body: body(ME),
      token: user.token,
      // Another user's `me` is the worst wrong answer a shared fetch or cache could give.
      check: (result) =>
        noErrors(result) ?? (result.data?.['me']?.id === user.id ? null : `me of ${user.id} answered as ${result.data?.['me']?.id}`),
    };
  }
  return { body: body(SAVE, { id: pick(fixture.listingIds) }), token: user.token, check: noErrors };
};

export const WORKLOADS: Record<string, Workload> = { identical, mix };
