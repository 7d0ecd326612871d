import type { EventEnvelope } from '@market/platform';
import type { NewNotification } from './notification-service';

/** The listings' auction events that become AUCTION notifications. */
export const AUCTION_EVENT_TYPES = [
  'listings.auction.bidPlaced',
  'listings.auction.bidRetracted',
  'listings.auction.bidDoubled',
  'listings.auction.closed',
  'listings.auction.cancelled',
] as const;
export type AuctionEventType = (typeof AUCTION_EVENT_TYPES)[number];

const clip = (text: string, max: number) => (text.length > max ? `${text.slice(0, max - 1)}…` : text);
const money = (amount: string, currency: string) => `${amount} ${currency}`;

/**
 * Who hears about an auction event, and what they read. `listingTitle` is what messaging knows of
 * the auctioned listing (its copy from listings' events), null when it knows nothing. Bidders are
 * told what happened to them (outbid, leading again, doubled, won, lost, reserve not met, cancelled), the seller
 * how their auction ended; nobody is told of their own bid. Each notification's dedupe key names
 * the event and the recipient, so it is stored once however often the event arrives.
 */
export function auctionNotifications(event: EventEnvelope<AuctionEventType>, listingTitle: string | null): NewNotification[] {
  const what = listingTitle ? `the auction of ${listingTitle}` : 'an auction';
  const What = what.charAt(0).toUpperCase() + what.slice(1);
  const out: { to: string; title: string; body: string }[] = [];
  const { type } = event;
  switch (type) {
    case 'listings.auction.bidPlaced': {
      const b = (event as EventEnvelope<typeof type>).payload;
      // Only the one who led before and no longer does: under OWN_BEST a lower bid can be accepted without taking the lead.
      if (b.previousLeaderId && b.previousLeaderId !== b.bidderId && b.leaderId !== b.previousLeaderId) {
        out.push({
          to: b.previousLeaderId,
          title: `You were outbid in ${what}`,
          body: `The highest bid is now ${money(b.highest, b.currency)} (yours was ${money(b.previousHighest ?? '?', b.currency)}). The auction ends ${when(b.endsAt)}. Bid again to lead.`,
        });
      }
      break;
    }
    case 'listings.auction.bidRetracted': {
      const r = (event as EventEnvelope<typeof type>).payload;
      // The withdrawn bid led (it was above what leads now): whoever leads now leads again.
      if (r.leaderId && r.leaderId !== r.bidderId && r.highest !== null && Number(r.amount) > Number(r.highest)) {
        out.push({
          to: r.leaderId,
          title: `You lead again in ${what}`,
          body: `A higher bid was withdrawn; your ${money(r.highest, r.currency)} is the highest bid now.`,
        });
      }
      break;
    }
    case 'listings.auction.bidDoubled': {
      const d = (event as EventEnvelope<typeof type>).payload;
      out.push({
        to: d.bidderId,
        title: `Your bid in ${what} was doubled`,
        body: `The promoter doubled your bid from ${money(d.from, d.currency)} to ${money(d.to, d.currency)}${d.leaderId === d.bidderId ? '; you now lead' : ''}.`,
      });
      if (d.previousLeaderId && d.previousLeaderId !== d.bidderId && d.leaderId !== d.previousLeaderId) {
        out.push({
          to: d.previousLeaderId,
          title: `You were outbid in ${what}`,
          body: `A doubled bid leads with ${money(d.highest, d.currency)}. Bid again to lead.`,
        });
      }
      break;
    }
    case 'listings.auction.closed': {
      const c = (event as EventEnvelope<typeof type>).payload;
      const others = (except: string | null) => [...new Set(c.bidderIds)].filter((id) => id !== except && id !== c.sellerId);
      if (c.outcome === 'WON' && c.winnerId) {
        const price = money(c.winningAmount ?? c.highest ?? '?', c.currency);
        out.push({
          to: c.winnerId,
          title: `You won ${what}`,
          body: `Your bid of ${price} won. The seller will be in touch about the next steps.`,
        });
        out.push({ to: c.sellerId, title: `${What} ended: sold`, body: `The winning bid is ${price}.` });
        for (const id of others(c.winnerId)) out.push({ to: id, title: `${What} ended`, body: `Another bidder won with ${price}.` });
      } else if (c.outcome === 'RESERVE_NOT_MET') {
        const highest = c.highest ? ` The highest bid was ${money(c.highest, c.currency)}.` : '';
        out.push({
          to: c.sellerId,
          title: `${What} ended: reserve not met`,
          body: `Nobody bid up to your reserve price, so nothing was sold.${highest}`,
        });
        for (const id of others(null)) {
          out.push({
            to: id,
            title: `${What} ended without a sale`,
            body:
              id === c.highestBidderId
                ? `Your bid led, but it did not reach the seller's reserve price.${highest}`
                : `No bid reached the seller's reserve price.${highest}`,
          });
        }
      } else {
        out.push({ to: c.sellerId, title: `${What} ended without bids`, body: 'Nobody bid, so nothing was sold.' });
      }
      break;
    }
    case 'listings.auction.cancelled': {
      const c = (event as EventEnvelope<typeof type>).payload;
      for (const id of [...new Set(c.bidderIds)].filter((b) => b !== c.sellerId)) {
        out.push({
          to: id,
          title: `${What} was cancelled`,
          body: 'The auction you bid in was cancelled; your bids no longer count and nothing is owed.',
        });
      }
      break;
    }
  }
  return out.map(({ to, title, body }) => ({
    recipientId: to.toLowerCase(),
    kind: 'AUCTION',
    title: clip(title, 200),
    body: clip(body, 2000),
    dedupeKey: `auction:${event.id}:${to.toLowerCase()}`,
  }));
}

/** "2026-11-23 14:30 UTC": the same instant for every bidder, wherever they are. */
function when(iso: string): string {
  return `${iso.slice(0, 10)} ${iso.slice(11, 16)} UTC`;
}
