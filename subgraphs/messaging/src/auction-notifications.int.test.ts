import { randomUUID } from 'node:crypto';
import type { EventEnvelope, EventPayload, Identity } from '@market/platform';
import { AUCTION_NOTIFICATIONS_CONSUMER } from './consumers/auction-notifications';
import type { AuctionEventType } from './services/auction-notifications';
import { someone, useMessaging } from './testing/harness';

const { m, bus } = useMessaging();

const MINE = `{ myNotifications { kind title body } }`;
type Seen = { kind: string; title: string; body: string };
const mine = async (who: Identity) => (await m().call<{ myNotifications: Seen[] }>(who, MINE)).data?.myNotifications ?? [];
const titles = async (who: Identity) => (await mine(who)).map((n) => n.title).sort();

let seq = 0;
function event<T extends AuctionEventType>(type: T, payload: EventPayload<T>): EventEnvelope<T> {
  return { id: randomUUID(), type, version: 1, aggregateId: payload.auctionId, occurredAt: new Date().toISOString(), payload };
}

async function deliver(...events: EventEnvelope[]): Promise<void> {
  await bus().publish(events);
  await bus().drain();
}

/** An auction of a listing messaging knows (from listings' events), with its title. */
async function auctionOf(seller: Identity, title: string | null = 'Loft in the old mill') {
  const listingId = randomUUID();
  if (title) {
    await m().db.knownListing.create({
      data: {
        listingId,
        ownerId: seller.userId,
        title,
        kind: 'SALE',
        status: 'ACTIVE',
        price: '1.00',
        currency: 'EUR',
        lastEventAt: new Date(),
      },
    });
  }
  return { auctionId: randomUUID(), listingId, sellerId: seller.userId, currency: 'EUR' };
}

type Base = Awaited<ReturnType<typeof auctionOf>>;

function bid(
  base: Base,
  bidder: Identity,
  amount: string,
  before: { leader: Identity | null; highest: string | null },
  leader: Identity = bidder,
) {
  return event('listings.auction.bidPlaced', {
    ...base,
    seq: ++seq,
    bidId: randomUUID(),
    bidderId: bidder.userId,
    amount,
    previousLeaderId: before.leader?.userId ?? null,
    previousHighest: before.highest,
    leaderId: leader.userId,
    highest: leader === bidder ? amount : (before.highest ?? amount),
    endsAt: '2027-03-01T18:00:00.000Z',
    extended: false,
  });
}

function closed(
  base: Base,
  outcome: 'WON' | 'RESERVE_NOT_MET' | 'NO_BIDS',
  top: { bidder: Identity; amount: string } | null,
  bidders: Identity[],
) {
  return event('listings.auction.closed', {
    ...base,
    seq: ++seq,
    outcome,
    winnerId: outcome === 'WON' ? (top?.bidder.userId ?? null) : null,
    winningAmount: outcome === 'WON' ? (top?.amount ?? null) : null,
    highestBidderId: top?.bidder.userId ?? null,
    highest: top?.amount ?? null,
    bidderIds: bidders.map((b) => b.userId),
  });
}

describe('AUCTION notifications from listings.auction.*', () => {
  it('tells the outbid, the doubled, the winner, the losers and the seller, each once, on their channels', async () => {
    const [seller, ana, ben, cara] = [someone('SELLER'), someone(), someone(), someone()];
    // Ana has an e-mail address messaging knows: AUCTION mail goes out at once by default.
    await m().db.knownUser.create({
      data: { userId: ana.userId, name: 'Ana', role: 'BUYER', email: 'ana@example.test', lastEventAt: new Date() },
    });
    const base = await auctionOf(seller);

    const anaBids = bid(base, ana, '100.00', { leader: null, highest: null });
    const benBids = bid(base, ben, '150.00', { leader: ana, highest: '100.00' });
    const doubled = event('listings.auction.bidDoubled', {
      ...base,
      seq: ++seq,
      bidId: anaBids.payload.bidId,
      bidderId: ana.userId,
      from: '100.00',
      to: '200.00',
      previousLeaderId: ben.userId,
      previousHighest: '150.00',
      leaderId: ana.userId,
      highest: '200.00',
    });
    const caraBids = bid(base, cara, '250.00', { leader: ana, highest: '200.00' });
    const end = closed(base, 'WON', { bidder: cara, amount: '250.00' }, [ana, ben, cara]);
    await deliver(anaBids, benBids, benBids, doubled, caraBids, end);
    await deliver(end, doubled);

    expect(await titles(ana)).toEqual([
      'The auction of Loft in the old mill ended',
      'You were outbid in the auction of Loft in the old mill',
      'You were outbid in the auction of Loft in the old mill',
      'Your bid in the auction of Loft in the old mill was doubled',
    ]);
    expect(await mine(ana)).toContainEqual({
      kind: 'AUCTION',
      title: 'Your bid in the auction of Loft in the old mill was doubled',
      body: expect.stringContaining('from 100.00 EUR to 200.00 EUR; you now lead'),
    });
    expect(await mine(ben)).toEqual(
      expect.arrayContaining([
        { kind: 'AUCTION', title: 'You were outbid in the auction of Loft in the old mill', body: expect.stringContaining('200.00 EUR') },
        { kind: 'AUCTION', title: 'The auction of Loft in the old mill ended', body: 'Another bidder won with 250.00 EUR.' },
      ]),
    );
    expect(await mine(ben)).toHaveLength(2);
    expect(await mine(cara)).toEqual([
      { kind: 'AUCTION', title: 'You won the auction of Loft in the old mill', body: expect.stringContaining('250.00 EUR') },
    ]);
    expect(await mine(seller)).toEqual([
      { kind: 'AUCTION', title: 'The auction of Loft in the old mill ended: sold', body: 'The winning bid is 250.00 EUR.' },
    ]);

    // One e-mail per notification of Ana's (she has an address), none for the others (no address, no device).
    const anaNotifications = await m().db.notification.findMany({ where: { recipientId: ana.userId }, select: { id: true } });
    const deliveries = await m().db.delivery.findMany({
      where: { userId: { in: [ana, ben, cara, seller].map((u) => u.userId) } },
      select: { notificationId: true, channel: true },
    });
    expect(deliveries.map((d) => d.channel)).toEqual(anaNotifications.map(() => 'EMAIL'));
    expect(new Set(deliveries.map((d) => d.notificationId))).toEqual(new Set(anaNotifications.map((n) => n.id)));
    expect(
      await m().db.inboxEvent.count({
        where: { consumer: AUCTION_NOTIFICATIONS_CONSUMER, eventId: { in: [end.id, doubled.id, benBids.id] } },
      }),
    ).toBe(3);
    expect(await bus().deadLetters()).toEqual([]);
  });

  it('says the reserve was not met to the seller and the bidders, tells of a lead regained and of cancellation, and stays quiet about bids that take no lead', async () => {
    const [seller, ana, ben] = [someone('SELLER'), someone(), someone()];
    const base = await auctionOf(seller, null);
    // OWN_BEST: Ben's lower bid is accepted but Ana still leads: nobody was outbid.
    const lower = bid(base, ben, '80.00', { leader: ana, highest: '90.00' }, ana);
    const end = closed(base, 'RESERVE_NOT_MET', { bidder: ana, amount: '90.00' }, [ana, ben]);
    await deliver(lower, end);

    expect(await mine(seller)).toEqual([
      { kind: 'AUCTION', title: 'An auction ended: reserve not met', body: expect.stringContaining('highest bid was 90.00 EUR') },
    ]);
    expect(await mine(ana)).toEqual([
      { kind: 'AUCTION', title: 'An auction ended without a sale', body: expect.stringContaining('Your bid led, but it did not reach') },
    ]);
    expect(await mine(ben)).toEqual([
      { kind: 'AUCTION', title: 'An auction ended without a sale', body: expect.stringContaining('No bid reached') },
    ]);

    // In another auction, Ben's higher bid withdrawn: Ana leads again.
    await deliver(
      event('listings.auction.bidRetracted', {
        ...(await auctionOf(seller, null)),
        seq: ++seq,
        bidId: randomUUID(),
        bidderId: ben.userId,
        amount: '95.00',
        leaderId: ana.userId,
        highest: '90.00',
      }),
    );
    expect((await mine(ana)).map((n) => n.title)).toContain('You lead again in an auction');

    const other = await auctionOf(seller);
    await deliver(event('listings.auction.cancelled', { ...other, seq: ++seq, reason: 'SELLER', bidderIds: [ben.userId] }));
    expect((await mine(ben)).map((n) => n.title)).toContain('The auction of Loft in the old mill was cancelled');
    expect(await mine(seller)).toHaveLength(1);

    const none = await auctionOf(seller);
    await deliver(closed(none, 'NO_BIDS', null, []));
    expect((await mine(seller)).map((n) => n.title)).toContain('The auction of Loft in the old mill ended without bids');
  });

  it('sends an event naming a seller that is not a user id to dead letters', async () => {
    const seller = someone('SELLER');
    const base = await auctionOf(seller);
    const bad = closed(base, 'NO_BIDS', null, []);
    const broken = { ...bad, payload: { ...bad.payload, sellerId: 'seller-1' } } as EventEnvelope;
    await deliver(broken);
    expect((await bus().deadLetters()).map((d) => (d.event as { id: string }).id)).toContain(bad.id);
  });
});
