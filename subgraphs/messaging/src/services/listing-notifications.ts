import { PUBLIC_LISTING_STATUSES, type KnownListingRecord } from '../domain';

/** What watchers of a listing read: the same for each of them. */
export interface ListingNotice {
  title: string;
  body: string;
}

type State = Pick<KnownListingRecord, 'title' | 'kind' | 'status' | 'price' | 'pricePerNight' | 'currency'>;

const clip = (text: string, max: number) => (text.length > max ? `${text.slice(0, max - 1)}…` : text);

/** The price a watcher compares: the sale price, or the nightly price of a rental. */
function askingPrice(s: State): { amount: string; text: string } | null {
  const amount = s.kind === 'SALE' ? s.price : s.pricePerNight;
  if (amount === null) return null;
  return { amount, text: s.kind === 'SALE' ? `${amount} ${s.currency}` : `${amount} ${s.currency} a night` };
}

/** "350000.00" and "350000" are one amount. */
function sameAmount(a: string, b: string): boolean {
  const canonical = (x: string) =>
    x
      .trim()
      .replace(/^(-?)0+(?=\d)/, '$1')
      .replace(/(\.\d*?)0+$/, '$1')
      .replace(/\.$/, '');
  return canonical(a) === canonical(b);
}

const STATUS_NEWS: Record<string, (title: string, s: State) => ListingNotice> = {
  ACTIVE: (t, s) => ({
    title: `${t} is available again`,
    body: s.kind === 'SALE' ? 'It is open to buyers again.' : 'It is open to guests again.',
  }),
  UNDER_OFFER: (t) => ({ title: `${t} is under offer`, body: 'The owner accepted an offer. It may still come back on the market.' }),
  SOLD: (t) => ({ title: `${t} was sold`, body: 'It is no longer for sale.' }),
  RENTED: (t) => ({ title: `${t} was let`, body: 'It is no longer available to rent.' }),
};

/**
 * What watchers are told when a listing changes from `before` to `after`, or null when nothing they
 * care about changed (a new description, new photos). They hear about a new status and a new asking
 * price while they can see the listing, and that it was withdrawn when it leaves their sight (a
 * draft or archived listing is its owner's and admins' only); nothing about a hidden listing's edits.
 */
export function listingChangeNotice(before: State, after: State): ListingNotice | null {
  const visibleBefore = PUBLIC_LISTING_STATUSES.has(before.status);
  const visibleAfter = PUBLIC_LISTING_STATUSES.has(after.status);
  if (!visibleAfter) {
    if (!visibleBefore) return null;
    // Named as watchers last saw it: a title given in the same edit that hid it is the owner's own.
    return finish({
      title: `${before.title} was withdrawn`,
      body: 'The owner took it off the market. You still watch it: we will tell you if it comes back.',
    });
  }
  const name = after.title;
  const was = askingPrice(before);
  const now = askingPrice(after);
  const priceChanged =
    now !== null &&
    (was === null || before.kind !== after.kind || before.currency !== after.currency || !sameAmount(was.amount, now.amount));
  const priceSentence =
    priceChanged && now
      ? `The ${after.kind === 'SALE' ? 'asking price' : 'price'} is now ${now.text}${was ? ` (was ${was.text})` : ''}.`
      : null;
  const statusNews = before.status !== after.status || !visibleBefore ? STATUS_NEWS[after.status]?.(name, after) : undefined;
  if (statusNews) return finish({ title: statusNews.title, body: priceSentence ? `${statusNews.body} ${priceSentence}` : statusNews.body });
  if (!priceSentence || !now) return null;
  const drop = was !== null && before.kind === after.kind && before.currency === after.currency && Number(now.amount) < Number(was.amount);
  return finish({ title: drop ? `Price drop: ${name}` : `New price: ${name}`, body: priceSentence });
}

/**
 * What watchers are told when a listing is deleted (their watch goes with it). A listing deleted while
 * hidden is named by `shownTitle`, the title it last had while they could see it: a name the owner
 * gave it meanwhile was never theirs to read.
 */
export function listingDeletedNotice(before: Pick<State, 'title' | 'status'>, shownTitle: string | null = null): ListingNotice {
  const name = PUBLIC_LISTING_STATUSES.has(before.status) ? before.title : shownTitle;
  return finish({
    title: name ? `${name} was removed` : 'A listing you watched was removed',
    body: 'Its owner deleted the listing, so it is no longer on the market. It has been taken off your watched listings.',
  });
}

function finish(notice: ListingNotice): ListingNotice {
  return { title: clip(notice.title, 200), body: clip(notice.body, 2000) };
}
