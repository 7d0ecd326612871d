import { listingChangeNotice, listingDeletedNotice } from './listing-notifications';

const flat = {
  title: 'Sea view flat',
  kind: 'SALE' as const,
  status: 'ACTIVE',
  price: '350000.00',
  pricePerNight: null,
  currency: 'EUR',
};
const cabin = { ...flat, title: 'Forest cabin', kind: 'RENT' as const, price: null, pricePerNight: '110.00' };

describe('listingChangeNotice', () => {
  it('announces a lower asking price as a drop, and a higher one as a new price', () => {
    expect(listingChangeNotice(flat, { ...flat, price: '320000.00' })).toEqual({
      title: 'Price drop: Sea view flat',
      body: 'The asking price is now 320000.00 EUR (was 350000.00 EUR).',
    });
    expect(listingChangeNotice(flat, { ...flat, price: '360000.00' })?.title).toBe('New price: Sea view flat');
    expect(listingChangeNotice(cabin, { ...cabin, pricePerNight: '95.50' })).toEqual({
      title: 'Price drop: Forest cabin',
      body: 'The price is now 95.50 EUR a night (was 110.00 EUR a night).',
    });
  });

  it('says nothing when neither status nor asking price changed, however the amount is written', () => {
    expect(listingChangeNotice(flat, { ...flat, title: 'Sea view flat, renovated' })).toBeNull();
    expect(listingChangeNotice(flat, { ...flat, price: '350000' })).toBeNull();
    expect(listingChangeNotice(cabin, { ...cabin, price: '1.00' })).toBeNull();
  });

  it('calls another currency a new price, not a drop', () => {
    expect(listingChangeNotice(flat, { ...flat, price: '300000.00', currency: 'GBP' })).toEqual({
      title: 'New price: Sea view flat',
      body: 'The asking price is now 300000.00 GBP (was 350000.00 EUR).',
    });
  });

  it('names each new status in plain words, with the new price when it changed too', () => {
    expect(listingChangeNotice(flat, { ...flat, status: 'UNDER_OFFER' })?.title).toBe('Sea view flat is under offer');
    expect(listingChangeNotice(flat, { ...flat, status: 'SOLD' })).toEqual({
      title: 'Sea view flat was sold',
      body: 'It is no longer for sale.',
    });
    expect(listingChangeNotice(cabin, { ...cabin, status: 'RENTED' })?.title).toBe('Forest cabin was let');
    expect(listingChangeNotice({ ...flat, status: 'UNDER_OFFER' }, { ...flat, price: '340000.00' })).toEqual({
      title: 'Sea view flat is available again',
      body: 'It is open to buyers again. The asking price is now 340000.00 EUR (was 350000.00 EUR).',
    });
  });

  it('tells watchers a listing was withdrawn, then nothing of its hidden edits, then that it is back', () => {
    const archived = { ...flat, status: 'ARCHIVED' };
    expect(listingChangeNotice(flat, archived)?.title).toBe('Sea view flat was withdrawn');
    expect(listingChangeNotice(flat, { ...flat, status: 'DRAFT' })?.title).toBe('Sea view flat was withdrawn');
    expect(listingChangeNotice(archived, { ...archived, price: '1.00' })).toBeNull();
    expect(listingChangeNotice(archived, { ...archived, status: 'DRAFT' })).toBeNull();
    expect(listingChangeNotice(archived, { ...flat, price: '300000.00' })).toEqual({
      title: 'Sea view flat is available again',
      body: 'It is open to buyers again. The asking price is now 300000.00 EUR (was 350000.00 EUR).',
    });
  });

  it('treats a status it does not know as hidden, so it leaks nothing', () => {
    expect(listingChangeNotice(flat, { ...flat, status: 'SUSPENDED', price: '1.00' })?.title).toBe('Sea view flat was withdrawn');
  });

  it('keeps titles within what a notification holds', () => {
    const long = { ...flat, title: 'x'.repeat(300) };
    expect(listingChangeNotice(long, { ...long, status: 'SOLD' })?.title.length).toBe(200);
    expect(listingDeletedNotice(long).title.length).toBe(200);
  });
});

describe('listingDeletedNotice', () => {
  it('says the listing is gone and off the watch list', () => {
    expect(listingDeletedNotice(flat)).toEqual({
      title: 'Sea view flat was removed',
      body: 'Its owner deleted the listing, so it is no longer on the market. It has been taken off your watched listings.',
    });
  });

  it('names a listing deleted while hidden by the title watchers last saw, or not at all', () => {
    const hidden = { ...flat, status: 'ARCHIVED', title: 'SECRET rename' };
    expect(listingDeletedNotice(hidden, 'Sea view flat').title).toBe('Sea view flat was removed');
    expect(listingDeletedNotice(hidden, null).title).toBe('A listing you watched was removed');
    expect(listingDeletedNotice({ ...flat, status: 'SUSPENDED' }).title).toBe('A listing you watched was removed');
  });

  it('names a withdrawn listing as it was before the edit that hid it', () => {
    expect(listingChangeNotice(flat, { ...flat, status: 'ARCHIVED', title: 'SECRET rename' })?.title).toBe('Sea view flat was withdrawn');
  });
});
