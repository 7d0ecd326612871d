import { execFile } from 'node:child_process';
import path from 'node:path';
import { PASSWORD, createUser, eventually, startTestStack, type TestStack, type TestUser } from '../src/testing/stack';
import { subscribe } from '../src/testing/ws';

/**
 * Auctions through the real graph: the auction:create CLI signing in as the seller, bids through the
 * gateway, and auctionUpdated / myAuctionActivity over graphql-ws with fields from accounts (the
 * bidder's name) and listings (the title).
 */
let stack: TestStack;
let seller: TestUser;
beforeAll(async () => {
  stack = await startTestStack();
  seller = await createUser(stack, 'SELLER', 'Sally Seller');
});
afterAll(async () => {
  await stack?.stop();
});

const CREATE_LISTING = `mutation($input: CreateListingInput!) { createListing(input: $input) { id } }`;
const PLACE_BID = `mutation($a: ID!, $m: String!, $k: String!) { placeBid(auctionId: $a, amount: $m, idempotencyKey: $k) {
  __typename ... on BidAccepted { auction { version } } ... on BidRejected { reason } } }`;
const AUCTION_UPDATED = `subscription($a: ID!) { auctionUpdated(auctionId: $a) { version bidCount highestBid { amount bidder { id name } } listing { title } } }`;
const ACTIVITY = `subscription { myAuctionActivity { kind amount auction { id listing { title } highestBid { bidder { name } } } } }`;

async function saleListing(kind: 'SALE' | 'RENT' = 'SALE'): Promise<string> {
  const input = {
    title: kind === 'SALE' ? 'Farmhouse with orchard' : 'Studio by the sea',
    description: 'A stone farmhouse with an orchard and a view of the valley.',
    kind,
    propertyType: 'HOUSE',
    ...(kind === 'SALE' ? { price: '420000' } : { pricePerNight: '80', maxGuests: 2 }),
    status: 'ACTIVE',
    address: { line1: '3 Orchard Lane', city: 'Evora', country: 'PT' },
    location: { latitude: 38.57, longitude: -7.91 },
  };
  const res = await stack.request(CREATE_LISTING, { input }, seller.token);
  if (!res.data?.createListing) throw new Error(JSON.stringify(res));
  return res.data.createListing.id as string;
}

const ROOT = path.resolve(__dirname, '..', '..');
const CLI = path.join(ROOT, 'subgraphs', 'listings', 'src', 'auctions', 'cli', 'create-auction-cli.ts');

/** Runs the real auction:create command (its source, as `npm run auction:create` runs its build). */
function runCli(argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['-r', '@swc-node/register', CLI, ...argv, '--url', stack.url],
      { cwd: ROOT, env: { PATH: process.env['PATH'] ?? '' } },
      (err, stdout, stderr) => resolve({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

async function cli(argv: string[]): Promise<Record<string, unknown>> {
  const run = await runCli(argv);
  if (run.code !== 0) throw new Error(run.stderr.trim());
  return JSON.parse(run.stdout) as Record<string, unknown>;
}

describe('auctions through the gateway', () => {
  it('auction:create signs in as the seller and creates the auction, with clear errors', async () => {
    const listingId = await saleListing();
    const auction = await cli([
      '--listing',
      listingId,
      '--start',
      'now',
      '--end',
      '+1h',
      '--starting-price',
      '400000',
      '--reserve',
      '450000',
      '--email',
      seller.email,
      '--password',
      PASSWORD,
    ]);
    expect(auction).toMatchObject({
      status: 'OPEN',
      startingPrice: '400000.00',
      reservePrice: '450000.00',
      listing: { id: listingId, title: 'Farmhouse with orchard' },
    });
    await expect(
      cli(['--listing', listingId, '--start', 'now', '--end', '+1h', '--starting-price', '1', '--token', seller.token]),
    ).rejects.toThrow(/already has an auction/);
    await expect(
      cli([
        '--listing',
        listingId,
        '--start',
        'now',
        '--end',
        '+1h',
        '--starting-price',
        '1',
        '--email',
        seller.email,
        '--password',
        'wrong',
      ]),
    ).rejects.toThrow('Sign-in failed: wrong e-mail or password.');
    const usage = await runCli(['--listing', listingId]);
    expect(usage).toMatchObject({ code: 1, stdout: '' });
    expect(usage.stderr).toMatch(/Missing --start, --end, --starting-price[\s\S]*Usage: npm run auction:create/);
    const rental = await saleListing('RENT');
    await expect(
      cli(['--listing', rental, '--start', 'now', '--end', '+1h', '--starting-price', '1.005', '--token', seller.token]),
    ).rejects.toThrow(/Invalid auction/);
  });

  it('sends each new highest bid to watchers and "outbid" to the bidder, with names from accounts', async () => {
    const listingId = await saleListing();
    const auction = await cli([
      '--listing',
      listingId,
      '--start',
      'now',
      '--end',
      '+1h',
      '--starting-price',
      '1000',
      '--no-promoter',
      '--token',
      seller.token,
    ]);
    const [ann, bob] = [await createUser(stack, 'BUYER', 'Ann Bidder'), await createUser(stack, 'BUYER', 'Bob Bidder')];
    const watcher = subscribe<{
      auctionUpdated: { version: number; highestBid: { amount: string; bidder: { name: string } } | null; listing: { title: string } };
    }>(stack, AUCTION_UPDATED, { a: auction['id'] });
    const annActivity = subscribe<{
      myAuctionActivity: {
        kind: string;
        amount: string;
        auction: { listing: { title: string }; highestBid: { bidder: { name: string } } };
      };
    }>(stack, ACTIVITY, {}, ann.token);
    await eventually(
      async () =>
        stack.pubsub.channels().includes(`live:listings.auctionUpdated:${String(auction['id'])}`) &&
        stack.pubsub.channels().includes(`live:listings.myAuctionActivity:${ann.id}`),
    );
    expect((await stack.request(PLACE_BID, { a: auction['id'], m: '1000', k: 'a1' }, ann.token)).data?.placeBid.__typename).toBe(
      'BidAccepted',
    );
    expect((await stack.request(PLACE_BID, { a: auction['id'], m: '1500', k: 'b1' }, bob.token)).data?.placeBid.__typename).toBe(
      'BidAccepted',
    );
    expect((await stack.request(PLACE_BID, { a: auction['id'], m: '1000', k: 's1' }, seller.token)).data?.placeBid).toEqual({
      __typename: 'BidRejected',
      reason: 'OWN_LISTING',
    });
    await eventually(async () => watcher.events.some((e) => e.auctionUpdated.highestBid?.amount === '1500.00'));
    const last = watcher.events.at(-1)!.auctionUpdated;
    expect(last).toMatchObject({
      highestBid: { amount: '1500.00', bidder: { name: 'Bob Bidder' } },
      listing: { title: 'Farmhouse with orchard' },
    });
    await annActivity.waitFor(2);
    expect(annActivity.events.map((e) => [e.myAuctionActivity.kind, e.myAuctionActivity.amount])).toEqual([
      ['BID_ACCEPTED', '1000.00'],
      ['OUTBID', '1500.00'],
    ]);
    expect(annActivity.events[1]?.myAuctionActivity.auction).toMatchObject({
      listing: { title: 'Farmhouse with orchard' },
      highestBid: { bidder: { name: 'Bob Bidder' } },
    });
    await watcher.disconnect();
    await annActivity.disconnect();
  });
});
