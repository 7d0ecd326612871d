import { createLogger } from '@market/platform';
import { testDatabaseUrl, eventually } from '@market/platform/testing';
import { person, startListings, type Listings } from '../testing/harness';
import { createPrisma } from '../db';
import { applyEvent, type AuctionState } from './rules/aggregate';
import { decideBid } from './rules/commands';
import type { BidPlaced } from './rules/events';
import { auctionView, bidView } from './rules/views';
import { toStored } from './repositories/event-store';
import { rebuildAuctionReadModels } from './repositories/rebuild';
import { bid, openAuction, type BidAnswer } from './testing';

/**
 * The proof: 1,000 bids from 50 users fired at once at one auction through the subgraph. The log
 * has no two events with one seq, every accepted bid is one the rule accepted at its place in the
 * log, the read model equals a sequential replay of the log, and a rebuild gives identical tables.
 */
let l: Listings;
beforeAll(async () => {
  l = await startListings({ env: { AUCTION_PROMOTER_INTERVAL_SECONDS: '0', AUCTION_SNAPSHOT_EVERY: '50' } });
});
afterAll(async () => {
  await l?.close();
});

const DECISION = `query ($id: ID!) { bidDecision(commandId: $id) { __typename ... on BidAccepted { bid { id } } ... on BidRejected { reason } } }`;

async function dumpReadModels(auctionId: string) {
  const summary = await l.db.query('SELECT * FROM auction_summaries WHERE auction_id = $1', [auctionId]);
  const bids = await l.db.query('SELECT * FROM auction_bids WHERE auction_id = $1 ORDER BY seq', [auctionId]);
  return { summary: summary.rows, bids: bids.rows };
}

describe.each(['ASCENDING', 'OWN_BEST'] as const)('1,000 concurrent bids, %s', (rule) => {
  it('leave a log whose replay is the read model, with unique seqs and only bids the rule accepts', async () => {
    const seller = person('SELLER');
    const auction = await openAuction(l, seller, { rule, startingPrice: '1000', minimumIncrement: '1', softCloseMinutes: 0 });
    const users = Array.from({ length: 50 }, () => person('BUYER'));
    // Each user climbs in random steps, so under ASCENDING many bids lose the race and under OWN_BEST
    // some repeat their own amount.
    const amounts = users.map(() => {
      let amount = 1000;
      return Array.from({ length: 20 }, () => (amount += Math.floor(Math.random() * 30)));
    });
    const started = Date.now();
    const answers: { user: (typeof users)[number]; amount: number; answer: BidAnswer }[] = await Promise.all(
      users.flatMap((user, u) =>
        (amounts[u] as number[]).map(async (amount) => ({ user, amount, answer: await bid(l, user, auction.id, String(amount)) })),
      ),
    );
    const ms = Date.now() - started;
    // Pending answers are followed up the way a client would after a reconnect: bidDecision.
    const accepted = new Set<string>();
    let rejected = 0;
    let pending = 0;
    for (const { user, answer } of answers) {
      if (answer.__typename === 'BidAccepted') accepted.add(answer.bid!.id);
      else if (answer.__typename === 'BidRejected') rejected++;
      else {
        pending++;
        let decided: { __typename: string; bid?: { id: string } } | null = null;
        await eventually(async () => {
          decided = (await l.call<{ bidDecision: typeof decided }>(user, DECISION, { id: answer.commandId })).data?.bidDecision ?? null;
          return decided !== null;
        }, 20_000);
        const d = decided as unknown as { __typename: string; bid?: { id: string } };
        if (d.__typename === 'BidAccepted') accepted.add(d.bid!.id);
        else rejected++;
      }
    }
    expect(accepted.size + rejected).toBe(1000);

    const { rows } = await l.db.query(
      'SELECT auction_id::text, seq, type, payload, occurred_at, causation_id FROM auction_events WHERE auction_id = $1 ORDER BY seq',
      [auction.id],
    );
    // No two events share a seq, and none is missing.
    expect(rows.map((r: { seq: number }) => r.seq)).toEqual(rows.map((_: unknown, i: number) => i + 1));
    const dupes = await l.db.query('SELECT seq FROM auction_events WHERE auction_id = $1 GROUP BY seq HAVING count(*) > 1', [auction.id]);
    expect(dupes.rows).toEqual([]);

    // Sequential replay; at each BidPlaced, the rule decides again on the state before it and must
    // produce exactly the logged event.
    let state: AuctionState | null = null;
    const placed: string[] = [];
    for (const row of rows) {
      const event = toStored(row);
      if (event.data.type === 'BidPlaced') {
        const logged = event.data as BidPlaced;
        const again = decideBid(
          state as AuctionState,
          { bidId: logged.bidId, bidderId: logged.bidderId, amountMinor: logged.amountMinor },
          event.occurredAt.getTime(),
        );
        expect(again).toEqual({ accepted: true, events: [logged] });
        placed.push(logged.bidId);
      }
      state = applyEvent(state, event);
    }
    // Exactly the accepted answers are in the log, each once.
    expect(new Set(placed).size).toBe(placed.length);
    expect(new Set(placed)).toEqual(accepted);

    // The read model is the replay.
    const replayed = state as AuctionState;
    const view = auctionView(replayed);
    const models = await dumpReadModels(auction.id);
    const summary = models.summary[0] as Record<string, unknown>;
    expect({
      status: summary['status'],
      version: summary['version'],
      bid_count: summary['bid_count'],
      highest_bid_id: summary['highest_bid_id'],
      highest_minor: Number(summary['highest_minor']),
      ends_at: (summary['ends_at'] as Date).toISOString(),
    }).toEqual({
      status: view.status,
      version: view.version,
      bid_count: view.bidCount,
      highest_bid_id: view.highestBid?.id,
      highest_minor: view.highestBid?.amountMinor,
      ends_at: view.endsAt.toISOString(),
    });
    expect(
      models.bids.map((b: Record<string, unknown>) => [
        b['bid_id'],
        Number(b['amount_minor']),
        b['status'],
        b['seq'],
        (b['placed_at'] as Date).toISOString(),
      ]),
    ).toEqual(replayed.bids.map((b) => bidView(replayed, b)).map((b) => [b.id, b.amountMinor, b.status, b.seq, b.placedAt.toISOString()]));

    // The rebuild gives identical tables.
    const db = createPrisma(testDatabaseUrl('listings'), 2);
    try {
      await rebuildAuctionReadModels(db, { snapshotEvery: 50 });
    } finally {
      await db.$disconnect();
    }
    expect(await dumpReadModels(auction.id)).toEqual(models);
    createLogger('proof', 'info').info(
      { rule, ms, accepted: accepted.size, rejected, pending, events: rows.length },
      '1,000 concurrent bids',
    );
  });
});
