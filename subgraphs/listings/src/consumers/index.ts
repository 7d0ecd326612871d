import type { Consumer } from '@market/platform';
import type { Db } from '../db';
import type { ListingDetailCache } from '../repositories/listing-detail-cache';
import type { LiveUpdates } from '../services/live-updates';
import { consumeSearchEvents } from '../search/consumer';
import type { ListingSearch } from '../search/port';
import { consumeAccountEvents } from './account-deletion';
import { consumeDetailCacheEvents } from './detail-cache';
import { consumeRecommendationEvents } from './recommendations';
import { consumeSavedSearchEvents } from './saved-search-alerts';
import { consumeStayHoldEvents } from './stay-holds';

/**
 * What listings reacts to: its own listing events, by `listings.search-index` (search/consumer.ts:
 * the search index follows the database) and `listings.detail-cache` (the detail cache drops the
 * listing); `accounts.user.deleted`, by `listings.owner-cleanup` (account-deletion.ts); bookings'
 * stays and viewings, by `listings.recommendations` (recommendations.ts); its own listing events
 * again, by `listings.saved-search-alerts` (saved-search-alerts.ts); bookings' stays again, by
 * `listings.stay-holds` (stay-holds.ts: the nights they hold, for searches with dates).
 */
export function listingsConsumers(db: Db, deps: { index: ListingSearch; details: ListingDetailCache; live: LiveUpdates }): Consumer[] {
  return [
    (bus) => consumeSearchEvents(bus, db, deps.index),
    (bus) => consumeDetailCacheEvents(bus, db, deps.details),
    (bus) => consumeAccountEvents(bus, db, { details: deps.details, live: deps.live }),
    (bus) => consumeRecommendationEvents(bus, db),
    (bus) => consumeSavedSearchEvents(bus, db),
    (bus) => consumeStayHoldEvents(bus, db),
  ];
}
