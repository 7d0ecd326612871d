import type { EventEnvelope, EventPayload } from '@market/platform';
import { savedSearchNotification, type SavedSearchEventType } from './saved-search-notifications';

const event = <T extends SavedSearchEventType>(type: T, payload: EventPayload<T>): EventEnvelope<T> => ({
  id: 'e-1',
  type,
  version: 1,
  aggregateId: 's-1',
  occurredAt: '2027-03-01T10:00:00.000Z',
  payload,
});

describe('savedSearchNotification', () => {
  it("names the search and the listing of an INSTANT match, for the search's owner, keyed by the event", () => {
    expect(
      savedSearchNotification(
        event('listings.saved-search.matched', {
          savedSearchId: 's-1',
          userId: 'OWNER',
          searchName: 'Lisbon',
          listingId: 'l-1',
          listingTitle: 'Flat',
        }),
      ),
    ).toEqual({
      recipientId: 'owner',
      kind: 'LISTING',
      title: 'New match for your saved search "Lisbon": Flat',
      body: 'Flat matches your saved search "Lisbon". Have a look before someone else does.',
      dedupeKey: 'saved-search:e-1',
    });
  });

  it('counts a DAILY digest in the singular and the plural', () => {
    const one = savedSearchNotification(
      event('listings.saved-search.digest', {
        savedSearchId: 's-1',
        userId: 'u',
        searchName: null,
        matchCount: 1,
        listings: [{ listingId: 'l', title: 'Cabin' }],
      }),
    );
    expect(one.title).toBe('1 new listing matches your saved search');
    expect(one.body).toBe('Since yesterday: Cabin.');
  });
});
