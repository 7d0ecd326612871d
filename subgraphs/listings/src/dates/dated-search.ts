import { BadUserInputError } from '@market/platform';
import type { ListingRecord } from '../domain';
import type { StayHoldRepository } from '../repositories/stay-hold-repository';
import type { SearchArgs } from '../search/search-input';
import type { ListingSearchService, SearchResultPage } from '../search/search-service';

/** Index pages read to fill one dated page before answering with what was found (and hasNextPage). */
const MAX_ROUNDS = 5;
const LONGEST_SEARCHED_STAY = 366;

export interface DateArgs {
  checkIn?: string | null;
  checkOut?: string | null;
  guests?: number | null;
}

function nightsBetween(checkIn: string, checkOut: string): number {
  return Math.round((Date.parse(`${checkOut}T00:00:00Z`) - Date.parse(`${checkIn}T00:00:00Z`)) / 86_400_000);
}

/** Whether the listing's own terms allow this stay (bookings checks them again when booking). */
function termsAllow(listing: ListingRecord, nights: number, guests: number): boolean {
  return (
    listing.kind === 'RENT' &&
    (listing.maxGuests ?? 0) >= guests &&
    nights >= (listing.minNights ?? 1) &&
    (listing.maxNights === null || nights <= listing.maxNights)
  );
}

/**
 * `searchListings` with check-in and check-out: the search's own order and cursor, keeping the
 * rentals whose terms allow the stay and whose nights no stay holds as far as listings knows
 * (bookings' events, `listing_stay_holds`). Pages stay consistent because a page ends at the cursor
 * of the last listing it examined, shown or not, so the next page starts right after it. What
 * bookings alone knows (host blocks, a stay booked a moment ago whose event is on its way) is
 * settled by bookings: `availableListings(listingIds:)` for the page, and `bookStay`, whose
 * exclusion constraint never lets two stays overlap (README "Dates").
 */
export class DatedSearch {
  constructor(
    private readonly search: ListingSearchService,
    private readonly holds: StayHoldRepository,
  ) {}

  async run(args: SearchArgs & DateArgs): Promise<SearchResultPage> {
    const { checkIn, checkOut, guests: guestsArg, ...searchArgs } = args;
    if (!checkIn && !checkOut) {
      if (guestsArg == null) return this.search.search(searchArgs);
      return this.search.search({ ...searchArgs, filter: { ...searchArgs.filter, guests: guestsArg } });
    }
    if (!checkIn || !checkOut) {
      throw new BadUserInputError('checkIn and checkOut go together.', {
        [checkIn ? 'checkOut' : 'checkIn']: ['is required with the other date'],
      });
    }
    const nights = nightsBetween(checkIn, checkOut);
    if (nights < 1) throw new BadUserInputError('checkOut must be after checkIn.', { checkOut: ['must be after checkIn'] });
    if (nights > LONGEST_SEARCHED_STAY)
      throw new BadUserInputError(`A stay is at most ${LONGEST_SEARCHED_STAY} nights.`, {
        checkOut: [`must be at most ${LONGEST_SEARCHED_STAY} nights after checkIn`],
      });
    const guests = guestsArg ?? 1;
    if (!Number.isInteger(guests) || guests < 1)
      throw new BadUserInputError('guests must be at least 1.', { guests: ['must be at least 1'] });
    if (searchArgs.filter?.['kind'] === 'SALE')
      throw new BadUserInputError('Dates search rentals: kind SALE has no nights.', {
        'filter.kind': ['must be RENT (or left out) with dates'],
      });

    const first = searchArgs.first ?? 20;
    if (!Number.isInteger(first) || first < 0 || first > 100)
      throw new BadUserInputError('first must be between 0 and 100.', { first: ['must be between 0 and 100'] });
    const filter = { ...searchArgs.filter, kind: 'RENT', guests };
    const edges: SearchResultPage['edges'] = [];
    let after = searchArgs.after ?? null;
    let page: SearchResultPage | null = null;
    for (let round = 0; round < MAX_ROUNDS; round++) {
      page = await this.search.search({ ...searchArgs, filter, first: Math.min(100, Math.max(first * 2, 20)), after });
      const held = await this.holds.heldAmong(
        page.edges.map((e) => e.node.id),
        checkIn,
        checkOut,
      );
      for (const edge of page.edges) {
        if (edges.length === first) break;
        if (termsAllow(edge.node, nights, guests) && !held.has(edge.node.id)) edges.push(edge);
      }
      if (edges.length === first) {
        // Full: the next page starts after the last listing shown (what follows it here is read again).
        const lastShown = edges.at(-1);
        const rest = page.edges.slice(page.edges.findIndex((e) => e === lastShown) + 1);
        return {
          ...page,
          edges,
          totalCountExact: false,
          pageInfo: {
            hasNextPage: rest.length > 0 || page.pageInfo.hasNextPage,
            hasPreviousPage: Boolean(searchArgs.after),
            startCursor: edges[0]?.cursor ?? null,
            endCursor: lastShown?.cursor ?? after,
          },
        };
      }
      after = page.pageInfo.endCursor ?? after;
      if (!page.pageInfo.hasNextPage) break;
    }
    if (!page) throw new Error('unreachable: at least one round runs');
    return {
      ...page,
      edges,
      totalCountExact: false,
      pageInfo: {
        hasNextPage: page.pageInfo.hasNextPage,
        hasPreviousPage: Boolean(searchArgs.after),
        startCursor: edges[0]?.cursor ?? null,
        endCursor: after,
      },
    };
  }
}
