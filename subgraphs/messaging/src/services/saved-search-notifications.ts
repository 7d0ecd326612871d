import type { EventEnvelope } from '@market/platform';
import type { NewNotification } from './notification-service';

/**
 * The saved-search alerts listings sends, one type per alert frequency the user chose there:
 * `matched` for an INSTANT search (one per new match), `digest` once a day for a DAILY one.
 */
export const SAVED_SEARCH_EVENT_TYPES = ['listings.saved-search.matched', 'listings.saved-search.digest'] as const;
export type SavedSearchEventType = (typeof SAVED_SEARCH_EVENT_TYPES)[number];

const clip = (text: string, max: number) => (text.length > max ? `${text.slice(0, max - 1)}…` : text);
/** How many listing titles a digest names in its body; the rest are counted. */
const DIGEST_TITLES = 10;

/**
 * What the search's owner reads: a LISTING notification (delivered on the channels they chose for
 * listings). The dedupe key names the event, so it is stored once however often the event arrives.
 */
export function savedSearchNotification(event: EventEnvelope<SavedSearchEventType>): NewNotification {
  const search = (name: string | null) => (name ? `your saved search "${name}"` : 'your saved search');
  let title: string;
  let body: string;
  if (event.type === 'listings.saved-search.matched') {
    const m = (event as EventEnvelope<'listings.saved-search.matched'>).payload;
    title = `New match for ${search(m.searchName)}: ${m.listingTitle}`;
    body = `${m.listingTitle} matches ${search(m.searchName)}. Have a look before someone else does.`;
  } else {
    const d = (event as EventEnvelope<'listings.saved-search.digest'>).payload;
    const named = d.listings.slice(0, DIGEST_TITLES).map((l) => l.title);
    const more = d.matchCount - named.length;
    title = `${d.matchCount} new ${d.matchCount === 1 ? 'listing matches' : 'listings match'} ${search(d.searchName)}`;
    body = `Since yesterday: ${named.join('; ')}${more > 0 ? `; and ${more} more` : ''}.`;
  }
  const capitalised = title.charAt(0).toUpperCase() + title.slice(1);
  return {
    recipientId: event.payload.userId.toLowerCase(),
    kind: 'LISTING',
    title: clip(capitalised, 200),
    body: clip(body, 2000),
    dedupeKey: `saved-search:${event.id}`,
  };
}
