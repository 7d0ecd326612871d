import { randomUUID } from 'node:crypto';
import { InProcessEventBus, createLogger, type EventEnvelope } from '@market/platform';
import { testDatabaseUrl, eventually } from '@market/platform/testing';
import { codeOf, createListing, envelope, person, rentInput, saleInput, startListings, type Listings } from '../testing/harness';
import { AUCTION, CREATE_AUCTION, RETRACT_BID, auctionInput, bid, openAuction, type AuctionShape } from './testing';
import { createPrisma } from '../db';
import { AuctionEventStore } from './repositories/event-store';
import { AuctionReadRepository } from './repositories/auction-read-repository';
import { AuctionCommandProcessor } from './services/command-processor';
import { AuctionCommandRepository } from './repositories/command-repository';
import { closingJob, promoterJob } from './jobs/jobs';

/** Auctions through the listings subgraph (signed like the gateway), against the real database. */
let l: Listings;
let bus: InProcessEventBus;
beforeAll(async () => {
  bus = new InProcessEventBus(createLogger('bus', 'silent'), { attempts: 2, initialDelayMs: 10, maxDelayMs: 20 });
  // The promoter is off here (its own test drives it); closing runs every 200 ms.
  l = await startListings({ bus, env: { AUCTION_PROMOTER_INTERVAL_SECONDS: '0', AUCTION_SCHEDULER_POLL_MS: '200' } });
});
afterAll(async () => {
  await l?.close();
  await bus?.close();
});

const get = async (as: ReturnType<typeof person> | null, id: string) =>
  (await l.call<{ auction: AuctionShape & { myBids: { id: string; amount: string; status: string }[] } }>(as, AUCTION, { id })).data
    ?.auction;

const eventsOf = async (auctionId: string) =>
  (
    await l.db.query<{ seq: number; type: string; payload: Record<string, unknown> }>(
      'SELECT seq, type, payload FROM auction_events WHERE auction_id = $1 ORDER BY seq',
      [auctionId],
    )
  ).rows;

describe('createAuction', () => {
  it("creates a scheduled or open auction on the owner's SALE listing, and shows it from the listing", async () => {
    const seller = person('SELLER');
    const listing = await createListing(l, seller, saleInput({ currency: 'EUR' }));
    const later = Date.now() + 3_600_000;
    const res = await l.call<{ createAuction: AuctionShape }>(seller, CREATE_AUCTION, {
      input: auctionInput(listing.id, {
        startsAt: new Date(later).toISOString(),
        endsAt: new Date(later + 3_600_000).toISOString(),
        reservePrice: '150000.5',
        rule: 'OWN_BEST',
      }),
    });
    expect(res.errors).toBeUndefined();
    expect(res.data?.createAuction).toMatchObject({
      __typename: 'Auction',
      status: 'SCHEDULED',
      rule: 'OWN_BEST',
      currency: 'EUR',
      startingPrice: '100000.00',
      reservePrice: '150000.50',
      hasReserve: true,
      reserveMet: false,
      bidCount: 0,
      version: 1,
      seller: { id: seller.userId },
      softCloseSeconds: 120,
    });
    const auctionId = res.data!.createAuction.id;
    // Others see that there is a reserve, not what it is.
    expect((await get(person('BUYER'), auctionId))?.reservePrice).toBeNull();
    const fromListing = await l.call<{ listing: { auction: { id: string } } }>(
      null,
      `query ($id: ID!) { listing(id: $id) { auction { id } } }`,
      { id: listing.id },
    );
    expect(fromListing.data?.listing.auction.id).toBe(auctionId);
    // One auction at a time per listing.
    const again = await l.call<{ createAuction: { __typename: string; auction: { id: string } } }>(seller, CREATE_AUCTION, {
      input: auctionInput(listing.id),
    });
    expect(again.data?.createAuction).toEqual({ __typename: 'ListingAlreadyAuctioned', auction: { id: auctionId } });
    expect((await eventsOf(auctionId)).map((e) => e.type)).toEqual(['AuctionCreated']);
    const outbox = await l.db.query('SELECT type FROM outbox_events WHERE aggregate_id = $1', [auctionId]);
    expect(outbox.rows).toEqual([{ type: 'listings.auction.created' }]);
  });

  it('refuses bad input with typed errors and writes nothing', async () => {
    const seller = person('SELLER');
    const listing = await createListing(l, seller, saleInput());
    const rental = await createListing(l, person('HOST'), rentInput());
    const now = Date.now();
    const cases: [ReturnType<typeof person>, Record<string, unknown>, string, string?][] = [
      [seller, auctionInput(listing.id, { startingPrice: '100.005' }), 'BAD_USER_INPUT', 'startingPrice'],
      [seller, auctionInput(listing.id, { startingPrice: '-5' }), 'BAD_USER_INPUT', 'startingPrice'],
      [seller, auctionInput(listing.id, { startingPrice: '100000000000000000' }), 'BAD_USER_INPUT', 'startingPrice'],
      [seller, auctionInput(listing.id, { endsAt: new Date(now - 60_000).toISOString() }), 'BAD_USER_INPUT', 'endsAt'],
      [seller, auctionInput(listing.id, { reservePrice: '10' }), 'BAD_USER_INPUT', 'reservePrice'],
      [seller, auctionInput(listing.id, { currency: 'JPY', startingPrice: '100.5' }), 'BAD_USER_INPUT', 'startingPrice'],
      [person('HOST'), auctionInput(rental.id), 'FORBIDDEN'],
      [person('SELLER'), auctionInput(listing.id), 'FORBIDDEN'],
      [person('BUYER'), auctionInput(listing.id), 'FORBIDDEN'],
      [seller, auctionInput(randomUUID()), 'NOT_FOUND'],
    ];
    for (const [as, input, code, field] of cases) {
      const res = await l.call(as, CREATE_AUCTION, { input });
      expect([JSON.stringify(input), codeOf(res)]).toEqual([JSON.stringify(input), code]);
      if (field) expect(Object.keys(res.errors?.[0]?.extensions?.['fields'] as object)).toContain(field);
    }
    // The rental's own host gets the reason, not a FORBIDDEN.
    const host = person('HOST');
    const own = await createListing(l, host, rentInput());
    const res = await l.call(person('ADMIN'), CREATE_AUCTION, { input: auctionInput(own.id) });
    expect(codeOf(res)).toBe('BAD_USER_INPUT');
    expect(res.errors?.[0]?.message).toMatch(/rent/);
    const { rowCount } = await l.db.query('SELECT 1 FROM auction_summaries WHERE listing_id = ANY($1::uuid[])', [
      [listing.id, rental.id, own.id],
    ]);
    expect(rowCount).toBe(0);
  });
});

describe('placeBid', () => {
  it("accepts bids that follow the rule and refuses the others with a reason, the seller's included", async () => {
    const seller = person('SELLER');
    const auction = await openAuction(l, seller);
    const [u1, u2] = [person('BUYER'), person('BUYER')];
    expect(await bid(l, u1, auction.id, '99999.99')).toMatchObject({
      __typename: 'BidRejected',
      reason: 'BELOW_START',
      minimumAmount: '100000.00',
    });
    const first = await bid(l, u1, auction.id, '100000');
    expect(first).toMatchObject({
      __typename: 'BidAccepted',
      bid: { amount: '100000.00', status: 'LIVE', bidder: { id: u1.userId } },
      auction: { bidCount: 1 },
    });
    expect(await bid(l, u2, auction.id, '100000')).toMatchObject({
      __typename: 'BidRejected',
      reason: 'TOO_LOW_FOR_RULE',
      minimumAmount: '100500.00',
    });
    expect(await bid(l, u2, auction.id, '100200')).toMatchObject({ __typename: 'BidRejected', reason: 'BELOW_INCREMENT' });
    expect(await bid(l, seller, auction.id, '500000')).toMatchObject({ __typename: 'BidRejected', reason: 'OWN_LISTING' });
    expect(await bid(l, u2, randomUUID(), '500000')).toMatchObject({ __typename: 'BidRejected', reason: 'AUCTION_NOT_FOUND' });
    const second = await bid(l, u2, auction.id, '100500');
    expect(second).toMatchObject({ __typename: 'BidAccepted', auction: { bidCount: 2, highestBid: { amount: '100500.00' } } });
    // Bad amounts are faults, not outcomes: nothing is decided or stored.
    for (const amount of ['100600.001', '-1', '0', '1e9', '99999999999999999']) {
      const res = await l.call(
        u1,
        `mutation ($a: ID!, $m: String!) { placeBid(auctionId: $a, amount: $m, idempotencyKey: "x") { __typename } }`,
        { a: auction.id, m: amount },
      );
      expect([amount, codeOf(res)]).toEqual([amount, 'BAD_USER_INPUT']);
    }
    const seen = await get(u1, auction.id);
    expect(seen).toMatchObject({ status: 'OPEN', bidCount: 2, highestBid: { bidder: { id: u2.userId } }, version: 4 });
    expect(seen?.myBids).toEqual([{ id: first.bid!.id, amount: '100000.00', status: 'LIVE' }]);
    expect((await eventsOf(auction.id)).map((e) => e.type)).toEqual(['AuctionCreated', 'AuctionOpened', 'BidPlaced', 'BidPlaced']);
    // What a notifier needs: who led before, the amounts, the listing.
    const placed = await l.db.query<{ payload: Record<string, unknown> }>(
      `SELECT payload FROM outbox_events WHERE aggregate_id = $1 AND type = 'listings.auction.bidPlaced' ORDER BY seq`,
      [auction.id],
    );
    expect(placed.rows[1]?.payload).toMatchObject({
      bidderId: u2.userId,
      previousLeaderId: u1.userId,
      previousHighest: '100000.00',
      amount: '100500.00',
      leaderId: u2.userId,
      listingId: auction.listingId,
      sellerId: seller.userId,
    });
  });

  it('answers a retried idempotency key with the first answer, without a second bid', async () => {
    const auction = await openAuction(l, person('SELLER'));
    const u = person('BUYER');
    const [a, b] = await Promise.all([bid(l, u, auction.id, '100000', 'same-key'), bid(l, u, auction.id, '100000', 'same-key')]);
    const c = await bid(l, u, auction.id, '100000', 'same-key');
    expect(a.__typename).toBe('BidAccepted');
    expect(b.commandId).toBe(a.commandId);
    expect(c).toMatchObject({ __typename: 'BidAccepted', commandId: a.commandId, bid: { id: a.bid!.id } });
    expect((await get(u, auction.id))?.bidCount).toBe(1);
  });

  it('extends the end when a bid lands in the soft-close window', async () => {
    const now = Date.now();
    const auction = await openAuction(l, person('SELLER'), { endsAt: new Date(now + 90_000).toISOString(), softCloseMinutes: 2 });
    const accepted = await bid(l, person('BUYER'), auction.id, '100000');
    const endsAt = Date.parse(accepted.auction!.endsAt);
    expect(endsAt).toBeGreaterThan(now + 90_000);
    expect(endsAt).toBeGreaterThanOrEqual(now + 120_000);
  });
});

describe('retractBid', () => {
  it('lets only the bidder retract while open; the next highest leads', async () => {
    const auction = await openAuction(l, person('SELLER'));
    const [u1, u2] = [person('BUYER'), person('BUYER')];
    await bid(l, u1, auction.id, '100000');
    const top = await bid(l, u2, auction.id, '101000');
    const stranger = await l.call<{ retractBid: { __typename: string; reason: string } }>(u1, RETRACT_BID, { bidId: top.bid!.id });
    expect(stranger.data?.retractBid).toEqual({ __typename: 'BidNotRetractable', reason: 'NOT_YOUR_BID' });
    const res = await l.call<{ retractBid: Record<string, unknown> }>(u2, RETRACT_BID, { bidId: top.bid!.id });
    expect(res.data?.retractBid).toMatchObject({
      __typename: 'BidRetracted',
      bid: { id: top.bid!.id, status: 'RETRACTED' },
      auction: { bidCount: 1, highestBid: { amount: '100000.00', bidder: { id: u1.userId } } },
    });
    const again = await l.call<{ retractBid: { reason: string } }>(u2, RETRACT_BID, { bidId: top.bid!.id });
    expect(again.data?.retractBid.reason).toBe('ALREADY_RETRACTED');
    expect(codeOf(await l.call(u2, RETRACT_BID, { bidId: randomUUID() }))).toBe('NOT_FOUND');
  });
});

describe('closing on time', () => {
  it('closes auctions whose end passed, once, even with two replicas closing; the winner is never a retracted bid', async () => {
    const auction = await openAuction(l, person('SELLER'), { reservePrice: '100000' });
    const [u1, u2] = [person('BUYER'), person('BUYER')];
    await bid(l, u1, auction.id, '100000');
    const top = await bid(l, u2, auction.id, '150000');
    await l.call(u2, RETRACT_BID, { bidId: top.bid!.id });
    // Two more "replicas" of the job, each with its own database client and processor, an hour and a bit ahead.
    const replicas = [createPrisma(testDatabaseUrl('listings'), 2), createPrisma(testDatabaseUrl('listings'), 2)];
    try {
      const later = new Date(Date.now() + 2 * 3_600_000);
      const jobs = replicas.map((db) => {
        const store = new AuctionEventStore(db, 50);
        const processor = new AuctionCommandProcessor(db, store, new AuctionCommandRepository(db), createLogger('t', 'silent'), {
          maxBatch: 10,
          maxQueued: 100,
          maxAttempts: 20,
          onCommitted: () => undefined,
        });
        return closingJob(new AuctionReadRepository(db), processor);
      });
      const handled = await Promise.all(jobs.map((job) => job.run(1000, later)));
      expect(handled.reduce((a, b) => a + b, 0)).toBeGreaterThanOrEqual(1);
    } finally {
      await Promise.all(replicas.map((db) => db.$disconnect()));
    }
    const events = await eventsOf(auction.id);
    const closes = events.filter((e) => e.type === 'AuctionClosed');
    expect(closes).toHaveLength(1);
    expect(closes[0]?.payload).toMatchObject({ outcome: 'WON', winnerId: u1.userId, winningMinor: 10_000_000 });
    expect(await get(null, auction.id)).toMatchObject({
      status: 'CLOSED',
      outcome: 'WON',
      winner: { id: u1.userId },
      winningAmount: '100000.00',
      timeLeftSeconds: 0,
    });
    expect(await bid(l, u2, auction.id, '900000')).toMatchObject({ __typename: 'BidRejected', reason: 'AUCTION_NOT_OPEN' });
  });
});

describe('the promoter', () => {
  it('doubles a drawn live bid in opted-in auctions only, records the draw, and runs once per interval across replicas', async () => {
    const seller = person('SELLER');
    const optedIn = await openAuction(l, seller, { promoterEnabled: true, rule: 'OWN_BEST' });
    const optedOut = await openAuction(l, seller, { promoterEnabled: false });
    const u = person('BUYER');
    await bid(l, u, optedIn.id, '100000');
    await bid(l, u, optedOut.id, '100000');
    const db = createPrisma(testDatabaseUrl('listings'), 2);
    try {
      const store = new AuctionEventStore(db, 50);
      const processor = new AuctionCommandProcessor(db, store, new AuctionCommandRepository(db), createLogger('t', 'silent'), {
        maxBatch: 10,
        maxQueued: 100,
        maxAttempts: 20,
        onCommitted: () => undefined,
      });
      const read = new AuctionReadRepository(db);
      // The interval that is due now (whatever other subgraphs on this database claimed before).
      await db.$executeRaw`INSERT INTO auction_job_claims (job, due_at) VALUES ('promoter', '-infinity') ON CONFLICT (job) DO UPDATE SET due_at = '-infinity'`;
      const at = new Date();
      const job = (replicaId: string) =>
        promoterJob({
          db,
          read,
          processor,
          logger: createLogger('t', 'silent'),
          intervalSeconds: 3600,
          probability: 1,
          capUnits: 1_000_000,
          replicaId,
          random: () => 0,
        });
      await Promise.all([job('a').run(100_000, at), job('b').run(100_000, at)]);
      const doubled = (await eventsOf(optedIn.id)).filter((e) => e.type === 'BidDoubled');
      expect(doubled).toHaveLength(1);
      expect(doubled[0]?.payload).toMatchObject({
        bidderId: u.userId,
        fromMinor: 10_000_000,
        toMinor: 20_000_000,
        draw: { roll: 0, pick: 0, probability: 1, index: 0 },
      });
      expect((await eventsOf(optedOut.id)).filter((e) => e.type === 'BidDoubled')).toHaveLength(0);
      expect(await get(u, optedIn.id)).toMatchObject({ highestBid: { amount: '200000.00' } });
      const bidRow = await l.db.query('SELECT doubled_from_minor::text AS d FROM auction_bids WHERE auction_id = $1', [optedIn.id]);
      expect(bidRow.rows).toEqual([{ d: '10000000' }]);
    } finally {
      await db.$disconnect();
    }
  });
});

describe('deletions', () => {
  async function deliver(event: EventEnvelope): Promise<void> {
    await bus.publish([event]);
    await bus.drain();
    expect(await bus.deadLetters()).toEqual([]);
  }

  it("a deleted account's live bids are retracted and its auctions cancelled; the log keeps its id only", async () => {
    const seller = person('SELLER');
    const theirs = await openAuction(l, seller);
    const other = await openAuction(l, person('SELLER'));
    const [leaver, stayer] = [person('BUYER'), person('BUYER')];
    await bid(l, stayer, other.id, '100000');
    await bid(l, leaver, other.id, '120000');
    await bid(l, leaver, theirs.id, '100000');
    await deliver(envelope('accounts.user.deleted', leaver.userId, { userId: leaver.userId }));
    await eventually(async () => (await get(null, other.id))?.highestBid?.bidder.id === stayer.userId);
    expect(await get(null, other.id)).toMatchObject({ bidCount: 1, highestBid: { amount: '100000.00' } });
    await deliver(envelope('accounts.user.deleted', seller.userId, { userId: seller.userId }));
    await eventually(
      async () =>
        (await l.db.query(`SELECT status FROM auction_summaries WHERE auction_id = $1`, [theirs.id])).rows[0]?.status === 'CANCELLED',
    );
    const cancelled = (await eventsOf(theirs.id)).find((e) => e.type === 'AuctionCancelled');
    expect(['SELLER_DELETED', 'LISTING_DELETED']).toContain(cancelled?.payload['reason']);
  });

  it("deleting a listing cancels its auction (LISTING_DELETED) and tells its bidders' notifiers", async () => {
    const seller = person('SELLER');
    const auction = await openAuction(l, seller);
    const u = person('BUYER');
    await bid(l, u, auction.id, '100000');
    const deleted = await l.call(seller, `mutation ($id: ID!) { deleteListing(id: $id) }`, { id: auction.listingId });
    expect(deleted.errors).toBeUndefined();
    // The listing's own relay delivers listings.listing.deleted to the auction consumer.
    await eventually(
      async () =>
        (await l.db.query(`SELECT status FROM auction_summaries WHERE auction_id = $1`, [auction.id])).rows[0]?.status === 'CANCELLED',
      10_000,
    );
    expect((await eventsOf(auction.id)).at(-1)).toMatchObject({
      type: 'AuctionCancelled',
      payload: { reason: 'LISTING_DELETED', byUserId: null },
    });
    const outbox = await l.db.query<{ payload: Record<string, unknown> }>(
      `SELECT payload FROM outbox_events WHERE aggregate_id = $1 AND type = 'listings.auction.cancelled'`,
      [auction.id],
    );
    expect(outbox.rows[0]?.payload).toMatchObject({ reason: 'LISTING_DELETED', bidderIds: [u.userId], listingId: auction.listingId });
    expect(await bid(l, u, auction.id, '200000')).toMatchObject({ __typename: 'BidRejected' });
  });
});
