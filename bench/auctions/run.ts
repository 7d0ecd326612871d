/**
 * Auctions benchmark, through the gateway on a real PostgreSQL:
 *   1. accepted bids per second on ONE hot auction (OWN_BEST: every bidder climbs their own bids, so
 *      nearly every bid is accepted and each is a real append), with BENCH_CONCURRENCY clients;
 *   2. decisions per second on one ASCENDING auction (most bids lose the race and are refused);
 *   3. the event store alone: the same bids submitted in-process to the command processor (no HTTP,
 *      gateway or GraphQL), i.e. what the log and its projections can take;
 *   4. bid → auctionUpdated latency through the gateway (graphql-ws), one bid at a time (p50/p99).
 *
 *   node -r @swc-node/register bench/auctions/run.ts
 *
 * Like bench/bookings: its own databases (bench_<run>_<domain>) on BENCH_POSTGRES_URL, the six
 * subgraphs and the gateway in this process (bench/harness.ts), databases dropped at the end. Knobs: BENCH_BIDS,
 * BENCH_CONCURRENCY, BENCH_BIDDERS, BENCH_PROBES, BENCH_POOL_SIZE.
 */
import '../sources';
import { randomUUID } from 'node:crypto';
import WebSocket from 'ws';
import { createClient } from 'graphql-ws';
import { createLogger } from '@market/platform';
import { loadAverage, log, percentile, setting as env, withBenchStack, type GraphQLResult } from '../harness';
import { createPrisma } from '../../subgraphs/listings/src/db';
import { AuctionEventStore } from '../../subgraphs/listings/src/auctions/repositories/event-store';
import { AuctionCommandRepository } from '../../subgraphs/listings/src/auctions/repositories/command-repository';
import { AuctionCommandProcessor } from '../../subgraphs/listings/src/auctions/services/command-processor';
import { decideBid } from '../../subgraphs/listings/src/auctions/rules/commands';

const BIDS = env('BENCH_BIDS', 2000);
const CONCURRENCY = env('BENCH_CONCURRENCY', 64);
const BIDDERS = env('BENCH_BIDDERS', 50);
const PROBES = env('BENCH_PROBES', 200);
const POOL_SIZE = env('BENCH_POOL_SIZE', 10);

const CREATE_LISTING = `mutation($input: CreateListingInput!) { createListing(input: $input) { id } }`;
const CREATE_AUCTION = `mutation($input: CreateAuctionInput!) { createAuction(input: $input) { __typename ... on Auction { id } } }`;
const PLACE_BID = `mutation($a: ID!, $m: String!, $k: String!) { placeBid(auctionId: $a, amount: $m, idempotencyKey: $k) {
  __typename ... on BidAccepted { auction { version } } ... on BidPending { commandId } } }`;
const DECISION = `query($id: ID!) { bidDecision(commandId: $id) { __typename } }`;
const AUCTION_UPDATED = `subscription($a: ID!) { auctionUpdated(auctionId: $a) { version bidCount highestBid { amount } listing { title } } }`;

async function main() {
  const loadAtStart = loadAverage();
  const extraEnv = { DATABASE_POOL_SIZE: String(POOL_SIZE), AUCTION_PROMOTER_INTERVAL_SECONDS: '0', RATE_LIMIT_PLACE_BID: '10000/1s' };
  await withBenchStack({ extraEnv }, async ({ url: gatewayUrl, urls, tokenFor, request }) => {
    const seller = await tokenFor('SELLER');
    const newAuction = async (rule: string): Promise<string> => {
      const listing = await request(
        CREATE_LISTING,
        {
          input: {
            title: `Bench house ${rule}`,
            description: 'Auctioned by the benchmark.',
            kind: 'SALE',
            propertyType: 'HOUSE',
            price: '300000',
            status: 'ACTIVE',
            address: { line1: '1 Main St', city: 'Springfield', country: 'US' },
            location: { latitude: 39.78, longitude: -89.65 },
          },
        },
        seller,
      );
      const listingId = listing.data?.['createListing']?.id as string;
      const res = await request(
        CREATE_AUCTION,
        {
          input: {
            listingId,
            startsAt: new Date().toISOString(),
            endsAt: new Date(Date.now() + 3_600_000).toISOString(),
            startingPrice: '1000',
            minimumIncrement: '1',
            rule,
            softCloseMinutes: 0,
            promoterEnabled: false,
          },
        },
        seller,
      );
      const id = res.data?.['createAuction']?.id as string | undefined;
      if (!id) throw new Error(`createAuction failed: ${JSON.stringify(res)}`);
      return id;
    };
    const bidders = await Promise.all(Array.from({ length: BIDDERS }, () => tokenFor('BUYER')));

    /** BIDS bids from BIDDERS users with CONCURRENCY in flight; pending ones followed to their decision. */
    const hammer = async (auctionId: string, amountOf: (bidder: number, round: number) => number) => {
      const rounds = new Array<number>(BIDDERS).fill(0);
      let next = 0;
      const counts = { BidAccepted: 0, BidRejected: 0, BidPending: 0, errors: 0 };
      const latencies: number[] = [];
      const pending: { token: string; commandId: string }[] = [];
      const started = performance.now();
      const cpu = process.cpuUsage();
      await Promise.all(
        Array.from({ length: CONCURRENCY }, async () => {
          for (let i = next++; i < BIDS; i = next++) {
            const b = i % BIDDERS;
            const round = rounds[b]!++;
            const token = bidders[b] as string;
            const t0 = performance.now();
            const res = await request(
              PLACE_BID,
              { a: auctionId, m: String(amountOf(b, round)), k: `${auctionId.slice(0, 8)}-${i}` },
              token,
            );
            latencies.push(performance.now() - t0);
            const kind = res.data?.['placeBid']?.__typename as keyof typeof counts | undefined;
            if (!kind) counts.errors++;
            else counts[kind]++;
            if (kind === 'BidPending') pending.push({ token, commandId: res.data?.['placeBid'].commandId as string });
          }
        }),
      );
      for (const p of pending) {
        for (const deadline = Date.now() + 30_000; ;) {
          if (Date.now() > deadline) throw new Error(`bid command ${p.commandId} never decided`);
          const d = await request(DECISION, { id: p.commandId }, p.token);
          const kind = d.data?.['bidDecision']?.__typename as 'BidAccepted' | 'BidRejected' | undefined;
          if (kind) {
            counts[kind]++;
            break;
          }
          await new Promise((r) => setTimeout(r, 20));
        }
      }
      const seconds = (performance.now() - started) / 1000;
      const { user, system } = process.cpuUsage(cpu);
      latencies.sort((a, b) => a - b);
      return {
        ...counts,
        seconds: Number(seconds.toFixed(2)),
        acceptedPerSecond: Number((counts.BidAccepted / seconds).toFixed(1)),
        decisionsPerSecond: Number(((counts.BidAccepted + counts.BidRejected) / seconds).toFixed(1)),
        p50Ms: Math.round(percentile(latencies, 50)),
        p99Ms: Math.round(percentile(latencies, 99)),
        cpuMsPerBid: Number(((user + system) / 1000 / BIDS).toFixed(2)),
      };
    };

    // Warm-up (JIT, pools, plans), not measured.
    const warm = await newAuction('OWN_BEST');
    log(`warm-up: ${JSON.stringify(await hammer(warm, (b, r) => 1000 + r))}`);
    const hot = await newAuction('OWN_BEST');
    const ownBest = await hammer(hot, (b, r) => 1000 + r * 10 + (b % 10));
    log(`OWN_BEST hot auction: ${JSON.stringify(ownBest)}`);
    const asc = await newAuction('ASCENDING');
    const ascending = await hammer(asc, (b, r) => 1000 + r * BIDDERS + b);
    log(`ASCENDING hot auction: ${JSON.stringify(ascending)}`);

    // The event store alone: the same commands submitted in-process, without HTTP, gateway or GraphQL.
    const storeOnly = await (async () => {
      const auctionId = await newAuction('OWN_BEST');
      const db = createPrisma(urls.listings, POOL_SIZE);
      const store = new AuctionEventStore(db, 50);
      const processor = new AuctionCommandProcessor(db, store, new AuctionCommandRepository(db), createLogger('bench', 'silent'), {
        maxBatch: 100,
        maxQueued: 100_000,
        maxAttempts: 20,
        onCommitted: () => undefined,
      });
      const users = Array.from({ length: BIDDERS }, () => randomUUID());
      const started = performance.now();
      const results = await Promise.all(
        Array.from({ length: BIDS }, (_, i) =>
          processor.submit(auctionId, {
            causationId: null,
            decide: (state, now) => {
              const d = decideBid(
                state!,
                { bidId: randomUUID(), bidderId: users[i % BIDDERS] as string, amountMinor: 100_000 + i * 100 },
                now,
              );
              return { events: d.events, result: d.accepted };
            },
          }),
        ),
      );
      const seconds = (performance.now() - started) / 1000;
      await processor.close();
      await db.$disconnect();
      const accepted = results.filter(Boolean).length;
      return { accepted, seconds: Number(seconds.toFixed(2)), acceptedPerSecond: Number((accepted / seconds).toFixed(1)) };
    })();
    log(`event store alone: ${JSON.stringify(storeOnly)}`);

    // Latency: one subscriber through the gateway, one bid at a time.
    const probe = await newAuction('OWN_BEST');
    const watcher = await tokenFor('BUYER');
    const client = createClient({
      url: gatewayUrl.replace(/^http/, 'ws'),
      webSocketImpl: WebSocket,
      retryAttempts: 0,
      connectionParams: { authorization: `Bearer ${watcher}` },
    });
    // Arrival time of each version: an event may arrive before the mutation's response does.
    const arrivals: [number, number][] = [];
    let wake: (() => void) | null = null;
    let subscribed!: () => void;
    const ready = new Promise<void>((r) => (subscribed = r));
    const first = await tokenFor('BUYER');
    const stop = client.subscribe<{ auctionUpdated: { version: number } }>(
      { query: AUCTION_UPDATED, variables: { a: probe } },
      {
        next: (result) => {
          arrivals.push([result.data?.auctionUpdated.version ?? 0, performance.now()]);
          subscribed();
          wake?.();
        },
        error: (err) => log(`subscription error ${JSON.stringify(err)}`),
        complete: () => undefined,
      },
    );
    // The first event proves the subscription listens (a bid nobody measures).
    for (let r = 0; ; r++) {
      await request(PLACE_BID, { a: probe, m: String(1000 + r), k: `warm${r}` }, first);
      const done = await Promise.race([ready.then(() => true), new Promise((res) => setTimeout(() => res(false), 200))]);
      if (done) break;
    }
    const prober = await tokenFor('BUYER');
    const lat: number[] = [];
    for (let i = 0; i < PROBES; i++) {
      const t0 = performance.now();
      const res = await request(PLACE_BID, { a: probe, m: String(2000 + i), k: `p${i}` }, prober);
      const version = res.data?.['placeBid']?.auction?.version as number | undefined;
      if (!version) throw new Error(`probe bid not accepted: ${JSON.stringify(res)}`);
      for (;;) {
        const hit = arrivals.find(([v]) => v >= version);
        if (hit) {
          lat.push(hit[1] - t0);
          break;
        }
        await new Promise<void>((r) => {
          wake = r;
          setTimeout(r, 1000);
        });
      }
    }
    stop();
    await client.dispose();
    lat.sort((a, b) => a - b);
    const latency = { probes: PROBES, p50Ms: Number(percentile(lat, 50).toFixed(1)), p99Ms: Number(percentile(lat, 99).toFixed(1)) };
    log(`bid → auctionUpdated: ${JSON.stringify(latency)}`);
    console.log(
      JSON.stringify({
        loadAtStart,
        loadAtEnd: loadAverage(),
        bids: BIDS,
        concurrency: CONCURRENCY,
        bidders: BIDDERS,
        ownBest,
        ascending,
        storeOnly,
        latency,
      }),
    );
  });
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
