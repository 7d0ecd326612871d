import { person, startListings, until, type Listings } from '../testing/harness';
import { auctionUpdatedTopic, bidDecidedTopic, myAuctionActivityTopic } from './live/topics';
import { RETRACT_BID, bid, openAuction } from './testing';

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
    await until(() => l.pubsub.listeners(auctionUpdatedTopic.channel(auction.id)) === 1 && l.pubsub.listeners(myAuctionActivityTopic.channel(u1.userId)) === 1);
    await bid(l, u1, auction.id, '100000');
    const outbidding = await bid(l, u2, auction.id, '120000');
    await l.call(u2, RETRACT_BID, { bidId: outbidding.bid!.id });
    await until(() => watcher.events.at(-1)?.auctionUpdated.version === 5 && activity1.events.length === 2);
    // The opening (version 2) comes with the first bid, or before it from the scheduler.
    expect(watcher.events.filter((e) => e.auctionUpdated.bidCount > 0).map((e) => [e.auctionUpdated.version, e.auctionUpdated.bidCount, e.auctionUpdated.highestBid?.amount])).toEqual([
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
    await until(() => unknown.done && anonymous.done);
    expect((unknown.errors[0] as { extensions?: { code?: string } }).extensions?.code).toBe('NOT_FOUND');
    expect((anonymous.errors[0] as { extensions?: { code?: string } }).extensions?.code).toBe('UNAUTHENTICATED');
  });
});

describe('BidPending and bidDecided', () => {
  it('answers a slow bid BidPending, then delivers the decision to the bidder only, also when they subscribe late', async () => {
    const auction = await openAuction(slow, person('SELLER'));
    const u = person('BUYER');
    const pending = await bid(slow, u, auction.id, '100000');
    expect(pending.__typename).toBe('BidPending');
    // Subscribing after the decision was stored still gets it, then completes.
    await until(async () => (await slow.db.query('SELECT 1 FROM auction_commands WHERE command_id = $1', [pending.commandId])).rowCount === 1);
    const late = slow.subscribe<{ bidDecided: { __typename: string; commandId: string; bid: { amount: string } } }>(u, BID_DECIDED, { id: pending.commandId });
    const stranger = slow.subscribe(person('BUYER'), BID_DECIDED, { id: pending.commandId });
    await until(() => late.done);
    expect(late.events).toEqual([{ bidDecided: { __typename: 'BidAccepted', commandId: pending.commandId, bid: { amount: '100000.00' } } }]);
    expect(stranger.events).toEqual([]);
    stranger.unsubscribe();
    // Subscribed before the decision: the live event.
    const second = slow.subscribe<{ bidDecided: { __typename: string; reason: string } }>(u, BID_DECIDED, { id: '11111111-1111-4111-8111-111111111111' });
    await until(() => slow.pubsub.listeners(bidDecidedTopic.channel(`${u.userId}:11111111-1111-4111-8111-111111111111`)) === 1);
    second.unsubscribe();
    const low = await bid(slow, u, auction.id, '100000');
    expect(low.__typename).toBe('BidPending');
    const live = slow.subscribe<{ bidDecided: { __typename: string; reason: string } }>(u, BID_DECIDED, { id: low.commandId });
    await until(() => live.done);
    expect(live.events).toEqual([{ bidDecided: { __typename: 'BidRejected', reason: 'TOO_LOW_FOR_RULE' } }]);
    const decision = await slow.call<{ bidDecision: { __typename: string } }>(u, `query ($id: ID!) { bidDecision(commandId: $id) { __typename } }`, { id: low.commandId });
    expect(decision.data?.bidDecision.__typename).toBe('BidRejected');
  });
});
