import { enqueueEvent } from '@market/platform';
import type { Db, Tx } from '../db';
import { Prisma } from '../generated/prisma/client';
import { isUuid } from '@market/platform';
import type { ListingRecord } from '../domain';
import type { SearchFilter } from '../search/port';
import { fold } from '../search/text';
import { matchesSavedSearch } from '../saved/rules/match';
import { RecommendationRepository } from './recommendation-repository';

export const SAVED_SEARCH_ALERTS = ['INSTANT', 'DAILY', 'OFF'] as const;
export type SavedSearchAlert = (typeof SAVED_SEARCH_ALERTS)[number];

export interface SavedSearchRecord {
  id: string;
  userId: string;
  name: string | null;
  query: string | null;
  filter: SearchFilter;
  alert: SavedSearchAlert;
  createdAt: Date;
}

export interface SavedListingEntry {
  listingId: string;
  savedAt: Date;
}

const DAY_MS = 86_400_000;
/** Listings a digest names; the count says how many more matched. */
export const DIGEST_LISTINGS = 50;

const searchSelect = { id: true, userId: true, name: true, query: true, filter: true, alert: true, createdAt: true } as const;

function toSearch(row: Prisma.SavedSearchGetPayload<{ select: typeof searchSelect }>): SavedSearchRecord {
  return { ...row, filter: row.filter as SearchFilter };
}

/** Favorites and saved searches, with the matches that alert their owners. */
export class SavedRepository {
  constructor(private readonly db: Db) {}

  /** Saves (once) and learns a FAVORITE for recommendations, in one transaction. */
  async saveListing(userId: string, listingId: string, at: Date): Promise<void> {
    await this.db.$transaction(async (tx) => {
      await tx.$executeRaw`INSERT INTO saved_listings (user_id, listing_id, saved_at) VALUES (${userId}::uuid, ${listingId}::uuid, ${at}::timestamptz)
        ON CONFLICT (user_id, listing_id) DO NOTHING`;
      await RecommendationRepository.recordIn(tx, userId, listingId, 'FAVORITE', at);
    });
  }

  async unsaveListing(userId: string, listingId: string): Promise<void> {
    if (!isUuid(listingId)) return;
    await this.db.savedListing.deleteMany({ where: { userId, listingId } });
  }

  /** Up to `take` of the user's saved listings, newest first, strictly after (savedAt, listingId). */
  async savedListings(userId: string, after: SavedListingEntry | null, take: number): Promise<SavedListingEntry[]> {
    return this.db.savedListing.findMany({
      where: {
        userId,
        ...(after ? { OR: [{ savedAt: { lt: after.savedAt } }, { savedAt: after.savedAt, listingId: { lt: after.listingId } }] } : {}),
      },
      orderBy: [{ savedAt: 'desc' }, { listingId: 'desc' }],
      take,
      select: { listingId: true, savedAt: true },
    });
  }

  async countSearches(userId: string): Promise<number> {
    return this.db.savedSearch.count({ where: { userId } });
  }

  async createSearch(
    userId: string,
    search: { name: string | null; query: string | null; filter: SearchFilter; alert: SavedSearchAlert },
    now: Date,
  ): Promise<SavedSearchRecord> {
    const f = search.filter;
    const amounts = f.kind ? { minAmount: f.minPrice ?? null, maxAmount: f.maxPrice ?? null } : { minAmount: null, maxAmount: null };
    const row = await this.db.savedSearch.create({
      data: {
        userId,
        name: search.name,
        query: search.query,
        filter: search.filter as Prisma.InputJsonValue,
        alert: search.alert,
        kind: f.kind ?? null,
        propertyType: f.propertyType ?? null,
        cityKey: f.city ? fold(f.city) : null,
        // Prices only prefilter within one kind (a sale price and a nightly price do not compare).
        ...amounts,
        minBedrooms: f.minBedrooms ?? null,
        nextDigestAt: new Date(now.getTime() + DAY_MS),
      },
      select: searchSelect,
    });
    return toSearch(row);
  }

  async searchesOf(userId: string): Promise<SavedSearchRecord[]> {
    const rows = await this.db.savedSearch.findMany({
      where: { userId },
      orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
      select: searchSelect,
    });
    return rows.map(toSearch);
  }

  /** True when the user's search existed and is gone. */
  async deleteSearch(userId: string, id: string): Promise<boolean> {
    if (!isUuid(id)) return false;
    const { count } = await this.db.savedSearch.deleteMany({ where: { id, userId } });
    return count === 1;
  }

  /**
   * Inside the consumer's transaction: records a match for every saved search (not the owner's own)
   * that this ACTIVE listing now matches and never matched before, and for INSTANT ones writes
   * `listings.saved-search.matched` to the outbox, so the event exists exactly when the match row
   * was new. Returns how many new matches.
   */
  static async matchListing(tx: Tx, listing: ListingRecord): Promise<number> {
    if (listing.status !== 'ACTIVE') return 0;
    const amount = listing.kind === 'SALE' ? listing.price : listing.pricePerNight;
    // The selective columns narrow the searches to those that can match; the rule decides.
    const candidates = await tx.$queryRaw<
      { id: string; user_id: string; name: string | null; query: string | null; filter: SearchFilter; alert: SavedSearchAlert }[]
    >`
      SELECT s.id::text AS id, s.user_id::text AS user_id, s.name, s.query, s.filter, s.alert::text AS alert
      FROM saved_searches s
      WHERE s.user_id <> ${listing.ownerId}::uuid
        AND (s.kind IS NULL OR s.kind::text = ${listing.kind})
        AND (s.property_type IS NULL OR s.property_type::text = ${listing.propertyType})
        AND (s.city_key IS NULL OR s.city_key = ${fold(listing.address.city)})
        AND (s.min_bedrooms IS NULL OR s.min_bedrooms <= ${listing.bedrooms})
        AND (s.min_amount IS NULL OR s.min_amount <= ${amount}::numeric)
        AND (s.max_amount IS NULL OR s.max_amount >= ${amount}::numeric)
        AND NOT EXISTS (SELECT 1 FROM saved_search_matches m WHERE m.saved_search_id = s.id AND m.listing_id = ${listing.id}::uuid)`;
    let created = 0;
    for (const search of candidates) {
      if (!matchesSavedSearch(listing, { text: search.query, filter: search.filter })) continue;
      const inserted =
        await tx.$executeRaw`INSERT INTO saved_search_matches (saved_search_id, listing_id) VALUES (${search.id}::uuid, ${listing.id}::uuid)
        ON CONFLICT (saved_search_id, listing_id) DO NOTHING`;
      if (inserted === 0) continue;
      created++;
      if (search.alert === 'INSTANT') {
        await enqueueEvent(tx, 'listings.saved-search.matched', search.id, {
          savedSearchId: search.id,
          userId: search.user_id,
          searchName: search.name,
          listingId: listing.id,
          listingTitle: listing.title,
        });
      }
    }
    return created;
  }

  /**
   * One run of the daily digest: claims up to `limit` DAILY searches whose digest is due (FOR UPDATE
   * SKIP LOCKED, so replicas share the work and never send one twice), writes one
   * `listings.saved-search.digest` per search with undigested matches of still-ACTIVE listings,
   * marks those matches digested and moves the search's next digest a day on. Returns searches handled.
   */
  async runDigest(limit: number, now: Date): Promise<number> {
    return this.db.$transaction(async (tx) => {
      const due = await tx.$queryRaw<{ id: string; user_id: string; name: string | null }[]>`
        SELECT id::text AS id, user_id::text AS user_id, name FROM saved_searches
        WHERE alert = 'DAILY' AND next_digest_at <= ${now}::timestamptz
        ORDER BY next_digest_at LIMIT ${limit} FOR UPDATE SKIP LOCKED`;
      for (const search of due) {
        const matches = await tx.$queryRaw<{ listing_id: string; title: string }[]>`
          SELECT m.listing_id::text AS listing_id, l.title FROM saved_search_matches m JOIN listings l ON l.id = m.listing_id
          WHERE m.saved_search_id = ${search.id}::uuid AND m.digested_at IS NULL AND l.status = 'ACTIVE'
          ORDER BY m.matched_at DESC, m.listing_id`;
        if (matches.length > 0) {
          await enqueueEvent(tx, 'listings.saved-search.digest', search.id, {
            savedSearchId: search.id,
            userId: search.user_id,
            searchName: search.name,
            matchCount: matches.length,
            listings: matches.slice(0, DIGEST_LISTINGS).map((m) => ({ listingId: m.listing_id, title: m.title })),
          });
        }
        await tx.$executeRaw`UPDATE saved_search_matches SET digested_at = ${now}::timestamptz WHERE saved_search_id = ${search.id}::uuid AND digested_at IS NULL`;
        // A day after this run (not after the missed due time), so a long outage sends one digest, not a burst.
        await tx.$executeRaw`UPDATE saved_searches SET next_digest_at = ${new Date(now.getTime() + DAY_MS)}::timestamptz WHERE id = ${search.id}::uuid`;
      }
      return due.length;
    });
  }

  /** A deleted user's favorites and saved searches (their matches go with them). */
  static async forgetUser(tx: Tx, userId: string): Promise<void> {
    if (!isUuid(userId)) return;
    await tx.savedListing.deleteMany({ where: { userId } });
    await tx.savedSearch.deleteMany({ where: { userId } });
  }
}
