import { person, startListings, type Listings } from '../testing/harness';
import { auctionUpdatedTopic, bidDecidedTopic, myAuctionActivityTopic } from './live/topics';
import { RETRACT_BID, bid, openAuction } from './testing';
import { createLogger } from '@market/platform';
import { testDatabaseUrl, eventually } from '@market/platform/testing';
import { createPrisma } from '../db';
import { AuctionEventStore } from './repositories/event-store';
import { AuctionReadRepository } from './repositories/auction-read-repository';
import { AuctionCommandRepository } from './repositories/command-repository';
import { AuctionCommandProcessor } from './services/command-processor';
import { AuctionLive } from './services/live';
import { closingJob } from './jobs/jobs';

/** The auction subscriptions on the subgraph, subscribed over graphql-ws the way the gateway does. */
let l: Listings;
let slow: Listings;
beforeAll(async () => {
  l = await startListings({ env: { AUCTION_PROMOTER_INTERVAL_SECONDS: '0' } });
  // Every bid here is slower than the bound: the BidPending path.
  slow = await startListings({ env: { AUCTION_PROMOTER_INTERVAL_SECONDS: '0', AUCTION_BID_DECISION_WAIT_MS: '0' } });
});
afterAll(async () => {
  await l?.close();
  await slow?.close();
});

const AUCTION_UPDATED = `subscription ($id: ID!) { auctionUpdated(auctionId: $id) { id status version bidCount endsAt highestBid { amount bidder { id } } } }`;
const ACTIVITY = `subscription { myAuctionActivity { kind amount cursor auction { id status highestBid { amount } } } }`;
const BID_DECIDED = `subscription ($id: ID!) { bidDecided(commandId: $id) { __typename ... on BidAccepted { commandId bid { amount } } ... on BidRejected { reason } } }`;

interface Updated {
  auctionUpdated: { version: number; bidCount: number; status: string; highestBid: { amount: string; bidder: { id: string } } | null };
}

describe('auctionUpdated and myAuctionActivity', () => {
  it('tell watchers each new highest bid, and bidders when they are outbid', async () => {
    const auction = await openAuction(l, person('SELLER'));
    const [u1, u2] = [person('BUYER'), person('BUYER')];
    const watcher = l.subscribe<Updated>(null, AUCTION_UPDATED, { id: auction.id });
    const activity1 = l.subscribe<{ myAuctionActivity: { kind: string; amount: string; auction: { id: string } } }>(u1, ACTIVITY);
    await eventually(
      () =>
        l.pubsub.listeners(auctionUpdatedTopic.channel(auction.id)) === 1 &&
        l.pubsub.listeners(myAuctionActivityTopic.channel(u1.userId)) === 1,
    );
    await bid(l, u1, auction.id, '100000');
    const outbidding = await bid(l, u2, auction.id, '120000');
    await l.call(u2, RETRACT_BID, { bidId: outbidding.bid!.id });
    await eventually(() => watcher.events.at(-1)?.auctionUpdated.version === 5 && activity1.events.length === 2);
    // The opening (version 2) comes with the first bid, or before it from the scheduler.
    expect(
      watcher.events
        .filter((e) => e.auctionUpdated.bidCount > 0)
        .map((e) => [e.auctionUpdated.version, e.auctionUpdated.bidCount, e.auctionUpdated.highestBid?.amount]),
    ).toEqual([
      [3, 1, '100000.00'],
      [4, 2, '120000.00'],
      [5, 1, '100000.00'],
    ]);
    expect(watcher.events.every((e) => e.auctionUpdated.status === 'OPEN')).toBe(true);
    expect(activity1.events.map((e) => [e.myAuctionActivity.kind, e.myAuctionActivity.amount])).toEqual([
      ['BID_ACCEPTED', '100000.00'],
      ['OUTBID', '120000.00'],
    ]);
    watcher.unsubscribe();
    activity1.unsubscribe();
  });

  it('refuses an unknown auction as NOT_FOUND and myAuctionActivity to anonymous callers', async () => {
    const unknown = l.subscribe(person('BUYER'), AUCTION_UPDATED, { id: '00000000-0000-4000-8000-000000000000' });
    const anonymous = l.subscribe(null, ACTIVITY);
    await eventually(() => unknown.done && anonymous.done);
    expect((unknown.errors[0] as { extensions?: { code?: string } }).extensions?.code).toBe('NOT_FOUND');
    expect((anonymous.errors[0] as { extensions?: { code?: string } }).extensions?.code).toBe('UNAUTHENTICATED');
  });
});

describe('closing, live', () => {
  it('tells the winner WON, the other bidders LOST, and watchers the CLOSED auction', async () => {
    const auction = await openAuction(l, person('SELLER'));
    const [winner, loser] = [person('BUYER'), person('BUYER')];
    await bid(l, loser, auction.id, '100000');
    await bid(l, winner, auction.id, '110000');
    const watcher = l.subscribe<Updated & { auctionUpdated: { status: string } }>(null, AUCTION_UPDATED, { id: auction.id });
    const won = l.subscribe<{ myAuctionActivity: { kind: string; amount: string } }>(winner, ACTIVITY);
    const lost = l.subscribe<{ myAuctionActivity: { kind: string; amount: string } }>(loser, ACTIVITY);
    await eventually(
      () =>
        l.pubsub.listeners(myAuctionActivityTopic.channel(loser.userId)) === 1 &&
        l.pubsub.listeners(myAuctionActivityTopic.channel(winner.userId)) === 1 &&
        l.pubsub.listeners(auctionUpdatedTopic.channel(auction.id)) === 1,
    );
    // A closing job an hour and a bit ahead, publishing to this subgraph's pub/sub like its own would.
    const db = createPrisma(testDatabaseUrl('listings'), 2);
    try {
      const live = new AuctionLive(l.pubsub, createLogger('t', 'silent'));
      const processor = new AuctionCommandProcessor(
        db,
        new AuctionEventStore(db, 50),
        new AuctionCommandRepository(db),
        createLogger('t', 'silent'),
        {
          maxBatch: 10,
          maxQueued: 100,
          maxAttempts: 20,
          onCommitted: (batch) => live.committed(batch),
        },
      );
      await closingJob(new AuctionReadRepository(db), processor).run(1000, new Date(Date.now() + 2 * 3_600_000));
    } finally {
      await db.$disconnect();
    }
    await eventually(
      () => won.events.length === 1 && lost.events.length === 1 && watcher.events.some((e) => e.auctionUpdated.status === 'CLOSED'),
    );
    expect(won.events[0]?.myAuctionActivity).toMatchObject({ kind: 'WON', amount: '110000.00' });
    expect(lost.events[0]?.myAuctionActivity).toMatchObject({ kind: 'LOST', amount: '110000.00' });
    for (const s of [watcher, won, lost]) s.unsubscribe();
  });
});

describe('auctions(status, first, after)', () => {
  it('lists open auctions first, ending soonest, then scheduled ones, page by page', async () => {
    const seller = person('SELLER');
    const now = Date.now();
    const at = (min: number) => new Date(now + min * 60_000).toISOString();
    const late = await openAuction(l, seller, { endsAt: at(300) });
    const soon = await openAuction(l, seller, { endsAt: at(100) });
    const scheduled = await openAuction(l, seller, { startsAt: at(50), endsAt: at(60) });
    const mine = new Set([late.id, soon.id, scheduled.id]);
    const seen: { id: string; status: string }[] = [];
    let after: string | null = null;
    for (let page = 0; page < 100; page++) {
      const res: {
        data?: null | {
          auctions: { edges: { node: { id: string; status: string } }[]; pageInfo: { hasNextPage: boolean; endCursor: string | null } };
        };
      } = await l.call(
        null,
        `query ($after: String) { auctions(first: 50, after: $after) { edges { node { id status } } pageInfo { hasNextPage endCursor } } }`,
        { after },
      );
      const conn = res.data!.auctions;
      seen.push(...conn.edges.map((e) => e.node));
      if (!conn.pageInfo.hasNextPage) break;
      after = conn.pageInfo.endCursor;
    }
    expect(seen.filter((a) => mine.has(a.id)).map((a) => a.id)).toEqual([soon.id, late.id, scheduled.id]);
    // Every OPEN auction comes before every SCHEDULED one, and each appears once.
    const statuses = seen.map((a) => a.status);
    expect(statuses.lastIndexOf('OPEN')).toBeLessThan(statuses.indexOf('SCHEDULED') === -1 ? Infinity : statuses.indexOf('SCHEDULED'));
    expect(new Set(seen.map((a) => a.id)).size).toBe(seen.length);
    const onlyScheduled = await l.call<{ auctions: { edges: { node: { status: string } }[] } }>(
      null,
      `{ auctions(status: SCHEDULED, first: 100) { edges { node { status } } } }`,
    );
    expect(new Set(onlyScheduled.data!.auctions.edges.map((e) => e.node.status))).toEqual(new Set(['SCHEDULED']));
    const bad = await l.call(null, `{ auctions(first: 5, after: "nope") { edges { cursor } } }`);
    expect(bad.errors?.[0]?.extensions?.['code']).toBe('BAD_USER_INPUT');
  });
});

describe('BidPending and bidDecided', () => {
  it('answers a slow bid BidPending, then delivers the decision to the bidder only, also when they subscribe late', async () => {
    const auction = await openAuction(slow, person('SELLER'));
    const u = person('BUYER');
    const pending = await bid(slow, u, auction.id, '100000');
    expect(pending.__typename).toBe('BidPending');
    // Subscribing after the decision was stored still gets it, then completes.
    await eventually(
      async () => (await slow.db.query('SELECT 1 FROM auction_commands WHERE command_id = $1', [pending.commandId])).rowCount === 1,
    );
    const late = slow.subscribe<{ bidDecided: { __typename: string; commandId: string; bid: { amount: string } } }>(u, BID_DECIDED, {
      id: pending.commandId,
    });
    const stranger = slow.subscribe(person('BUYER'), BID_DECIDED, { id: pending.commandId });
    await eventually(() => late.done);
    expect(late.events).toEqual([
      { bidDecided: { __typename: 'BidAccepted', commandId: pending.commandId, bid: { amount: '100000.00' } } },
    ]);
    expect(stranger.events).toEqual([]);
    stranger.unsubscribe();
    // Subscribed before the decision: the live event.
    const second = slow.subscribe<{ bidDecided: { __typename: string; reason: string } }>(u, BID_DECIDED, {
      id: '11111111-1111-4111-8111-111111111111',
    });
    await eventually(() => slow.pubsub.listeners(bidDecidedTopic.channel(`${u.userId}:11111111-1111-4111-8111-111111111111`)) === 1);
    second.unsubscribe();
    const low = await bid(slow, u, auction.id, '100000');
    expect(low.__typename).toBe('BidPending');
    const live = slow.subscribe<{ bidDecided: { __typename: string; reason: string } }>(u, BID_DECIDED, { id: low.commandId });
    await eventually(() => live.done);
    expect(live.events).toEqual([{ bidDecided: { __typename: 'BidRejected', reason: 'TOO_LOW_FOR_RULE' } }]);
    const decision = await slow.call<{ bidDecision: { __typename: string } }>(
      u,
      `query ($id: ID!) { bidDecision(commandId: $id) { __typename } }`,
      { id: low.commandId },
    );
    expect(decision.data?.bidDecision.__typename).toBe('BidRejected');
  });
});
