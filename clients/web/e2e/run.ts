import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import type { Page } from 'playwright-core';
import { eventually, unique } from '@market/platform/testing';
import { appOperation, startHarness, type Account, type Harness } from './harness';

/**
 * The web app in a real browser (Debian's chromium, driven by playwright-core) against the whole
 * graph: the production build served as static files, the gateway enforcing the app's trusted
 * documents, access tokens that expire after 30 s. `npm run test:web` (after `npm run build`).
 */
const TITLE = 'Sunny flat in Alfama';
const TIMEOUT = 30_000;

let h: Harness;
let host: Account;
let guest: Account;
let admin: Account;
let listingId: string;
let conversationId: string;

before(
  async () => {
    h = await startHarness();
    [host, guest, admin] = await Promise.all([
      h.createAccount('HOST', 'Hana Host'),
      h.createAccount('BUYER', 'Gus Guest'),
      h.createAccount('ADMIN', 'Ada Admin'),
    ]);
    // The scene: the host's flat the test books, among a few other places in town.
    const ids = await Promise.all([
      h.createRental(host, TITLE),
      h.createRental(host, 'Quiet studio near the castle', { pricePerNight: '85.00', bedrooms: 1 }),
      h.createRental(host, 'Family house with a garden', { pricePerNight: '210.00', bedrooms: 4, propertyType: 'HOUSE' }),
      h.createRental(host, 'Loft by the river', { pricePerNight: '150.00', bedrooms: 2, propertyType: 'CONDO' }),
    ]);
    listingId = ids[0]!;
    // Search reads its own index, fed by events: wait until the new listing is found there.
    await eventually(
      async () => {
        const res = await h.request(appOperation('SearchListings'), { filter: { city: 'Lisbon' }, first: 30 });
        const found = new Set(res.searchListings.edges.map((e: { node: { id: string } }) => e.node.id));
        return ids.every((id) => found.has(id));
      },
      { timeoutMs: 20_000, what: 'the listings in search' },
    );
  },
  { timeout: 120_000 },
);

after(async () => {
  await h?.stop();
});

async function open(account: Account | null, route: string): Promise<Page> {
  const context = await h.signedInContext(account);
  const page = await context.newPage();
  page.setDefaultTimeout(TIMEOUT);
  await page.goto(`${h.appUrl}/#${route}`);
  return page;
}

async function socketConnected(page: Page, atLeast = 1) {
  await page.waitForFunction((n) => {
    const el = document.querySelector<HTMLElement>('[data-testid=socket]');
    return el?.dataset['state'] === 'connected' && Number(el.dataset['connections']) >= n;
  }, atLeast);
}

test("the gateway runs the app's manifest and nothing else: every document under its sha256, an unlisted one refused", async () => {
  const manifest = JSON.parse(readFileSync(path.resolve(__dirname, '..', 'dist', 'persisted-documents.json'), 'utf8')) as Record<
    string,
    string
  >;
  for (const [hash, body] of Object.entries(manifest)) assert.equal(createHash('sha256').update(body).digest('hex'), hash);
  assert.ok(Object.keys(manifest).length >= 30);
  const res = await fetch(h.stack.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query: '{ me { id email } }' }),
  });
  assert.equal(res.status, 400);
  assert.equal(
    ((await res.json()) as { errors: { extensions: { code: string } }[] }).errors[0]?.extensions.code,
    'PERSISTED_QUERY_NOT_TRUSTED',
  );
});

test('a new user signs up with the e-mailed code, finds a place and books a first stay', { timeout: 90_000 }, async () => {
  const page = await open(null, '/signup');
  const email = `${unique('gina')}@example.com`;
  await page.getByLabel('Name', { exact: true }).fill('Gina New');
  await page.getByLabel('E-mail').fill(email);
  await page.getByLabel('Password').fill('a long enough password');
  await page.getByLabel('I want to').selectOption('BUYER');
  await h.screenshot(page, 'sign-up');
  await page.getByRole('button', { name: 'Sign up' }).click();

  // The code, from the development outbox the screen offers.
  await page.getByRole('button', { name: /Show e-mails sent to/ }).click();
  const mail = await page.getByTestId('outbox-body').first().textContent();
  const code = /\b(\d{6})\b/.exec(mail ?? '')?.[1];
  assert.ok(code, `a six-digit code in the e-mail: ${mail}`);
  await h.screenshot(page, 'verify');
  await page.getByLabel('Verification code').fill(code);
  await page.getByRole('button', { name: 'Verify and sign in' }).click();
  await page.getByRole('heading', { name: 'Find a place' }).waitFor();
  await page.getByTestId('me').filter({ hasText: 'Gina New' }).waitFor();

  // Search with a filter; the result is on the list and on the map.
  await page.getByLabel('City').fill('Lisbon');
  await page.getByLabel('Kind').selectOption('RENT');
  await page.getByRole('button', { name: 'Search', exact: true }).click();
  await page.locator('.cards').getByRole('link', { name: TITLE }).waitFor();
  await page.locator('svg.map').getByRole('link', { name: TITLE }).waitFor();
  await h.screenshot(page, 'search');
  await page.locator('.cards').getByRole('link', { name: TITLE }).click();

  // Listing detail, quote (3 nights × 120 + 35 cleaning), booking.
  await page.getByRole('heading', { name: TITLE }).waitFor();
  await page.getByText('Hosted by Hana Host').waitFor();
  assert.match((await page.getByTestId('quote-total').textContent()) ?? '', /395/);
  await h.screenshot(page, 'listing');
  await page.getByRole('button', { name: 'Book now' }).click();
  const booked = page.getByTestId('booked');
  await booked.waitFor();
  assert.match((await booked.textContent()) ?? '', /Booked and confirmed\. 3 nights, total .*395/);

  await page.getByRole('link', { name: 'See my stays' }).click();
  const row = page.getByRole('row').filter({ hasText: TITLE });
  await row.waitFor();
  assert.match((await row.textContent()) ?? '', /confirmed/);
  await h.screenshot(page, 'my-stays');
  await page.context().close();
});

test('two people chat live in two browser contexts', { timeout: 90_000 }, async () => {
  const guestPage = await open(guest, `/listing/${listingId}`);
  await guestPage.getByRole('button', { name: 'Message Hana Host' }).click();
  // Messaging learns of new users by event; the screen shows ParticipantsUnavailable until then: try again.
  await eventually(
    async () => {
      if (/#\/chat\//.test(guestPage.url())) return true;
      if (await guestPage.getByRole('alert').count()) await guestPage.getByRole('button', { name: 'Message Hana Host' }).click();
      return false;
    },
    { timeoutMs: 15_000, what: 'the conversation to start' },
  );
  conversationId = /#\/chat\/([^/?]+)/.exec(guestPage.url())![1]!;
  const hostPage = await open(host, `/chat/${conversationId}`);
  await Promise.all([socketConnected(guestPage), socketConnected(hostPage)]);
  await hostPage.getByRole('heading', { name: TITLE }).waitFor();

  await guestPage.getByRole('textbox', { name: 'Message' }).fill('Hello! Is the balcony sunny in the morning?');
  await guestPage.getByRole('button', { name: 'Send' }).click();
  await hostPage.getByRole('list', { name: 'Messages' }).getByText('Is the balcony sunny in the morning?').waitFor();
  // The host's screen marks it read; the guest sees the receipt live.
  await guestPage.getByText('Seen by Hana Host').waitFor();

  await hostPage.getByRole('textbox', { name: 'Message' }).fill('It is, from eight.');
  await guestPage.getByText('Hana Host is typing…').waitFor();
  await hostPage.getByRole('button', { name: 'Send' }).click();
  await guestPage.getByRole('list', { name: 'Messages' }).getByText('It is, from eight.').waitFor();
  await h.screenshot(guestPage, 'chat');
  await Promise.all([guestPage.context().close(), hostPage.context().close()]);
});

test("a notification arrives live: the host's badge counts a new booking request", { timeout: 60_000 }, async () => {
  const page = await open(host, '/search');
  await socketConnected(page);
  const badge = page.getByTestId('notification-badge');
  await page.waitForFunction(() => document.querySelector('[data-testid=notification-badge]')?.getAttribute('data-count') !== null);
  // Let the subscription reach the subgraph before the event it waits for.
  await page.waitForTimeout(1000);
  const before = Number(await badge.getAttribute('data-count'));

  const res = await h.request(
    appOperation('BookStay'),
    { input: { listingId, checkIn: day(40), checkOut: day(42), guests: 2 }, key: unique('k') },
    await h.token(guest),
  );
  assert.equal(res.bookStay.__typename, 'Stay');
  await page.waitForFunction(
    (n) => Number(document.querySelector('[data-testid=notification-badge]')?.getAttribute('data-count')) > n,
    before,
  );

  await page.getByRole('link', { name: /Notifications, \d+ unread/ }).click();
  await page.getByRole('heading', { name: 'Notifications' }).waitFor();
  await page.locator('.notifications li.unread').first().waitFor();
  await h.screenshot(page, 'notifications');
  await page.context().close();
});

test('a live log line of a running instance appears in the console', { timeout: 60_000 }, async () => {
  const instanceId = await h.runningInstance(admin, guest);
  const page = await open(guest, `/console/${instanceId}`);
  const log = page.getByTestId('log');
  await log
    .getByText(/^tick \d+$/)
    .first()
    .waitFor();
  const last = async () => Math.max(...Array.from(((await log.textContent()) ?? '').matchAll(/tick (\d+)/g), (m) => Number(m[1])));
  const seen = await last();
  // New lines keep coming without a reload.
  await eventually(async () => (await last()) > seen + 2, { timeoutMs: 10_000, what: 'newer log lines' });
  await h.screenshot(page, 'console');
  await page.context().close();
});

test('an auction page follows bids live and takes a bid', { timeout: 60_000 }, async () => {
  const [seller, rival] = await Promise.all([h.createAccount('SELLER', 'Sally Seller'), h.createAccount('BUYER', 'Rita Rival')]);
  const auctionId = await h.openAuction(seller, 'Farmhouse with orchard');
  const page = await open(guest, `/auction/${auctionId}`);
  await page.getByRole('heading', { name: 'Farmhouse with orchard' }).waitFor();
  await socketConnected(page);
  await page.waitForTimeout(1000);

  // Another bidder's bid shows up without a reload.
  const bid = await h.request(appOperation('PlaceBid'), { auctionId, amount: '400000', key: unique('bid') }, await h.token(rival));
  assert.notEqual(bid.placeBid.__typename, 'BidRejected', JSON.stringify(bid));
  await page.getByTestId('highest-bid').filter({ hasText: '400,000' }).waitFor();
  await page.getByText('by Rita Rival').waitFor();

  // Outbid them from the page: the form offers the minimum next amount.
  assert.equal(await page.getByLabel(/Your bid/).inputValue(), '401000');
  await page.getByRole('button', { name: 'Place bid' }).click();
  await page.getByText('Your bid of 401000').waitFor();
  await page.getByText('by you').waitFor();
  await h.screenshot(page, 'auction');
  await page.context().close();
});

test(
  'the socket survives the access token expiring: it refreshes, reconnects and keeps its subscriptions',
  { timeout: 120_000 },
  async () => {
    assert.ok(conversationId, 'the chat test started a conversation');
    // A fresh session for the guest, so its token's whole 30 s lifetime is watched.
    const signedIn = await h.request(appOperation('SignIn'), { input: { email: guest.email, password: guest.password } });
    const session: Account = {
      ...guest,
      accessToken: signedIn.signIn.accessToken,
      accessTokenExpiresAt: signedIn.signIn.accessTokenExpiresAt,
      refreshToken: signedIn.signIn.refreshToken,
    };
    const expiresAt = Date.parse(session.accessTokenExpiresAt);
    const page = await open(session, `/chat/${conversationId}`);
    await socketConnected(page);

    // The gateway closes the socket when the token expires (4403); the app refreshes and reconnects.
    await page.waitForTimeout(Math.max(expiresAt - Date.now(), 0) + 1000);
    await socketConnected(page, 2);
    const stored = await page.evaluate(
      () => JSON.parse(localStorage.getItem('market.session') ?? 'null') as { accessToken: string } | null,
    );
    assert.ok(stored && stored.accessToken !== session.accessToken, 'the app holds a refreshed token');

    // The conversation's subscription was resumed on the new socket: a message arrives live.
    await h.request(appOperation('SendMessage'), { conversationId, body: 'Still there after the token expired?' }, await h.token(host));
    await page.getByRole('list', { name: 'Messages' }).getByText('Still there after the token expired?').waitFor();
    await page.context().close();
  },
);

function day(offset: number): string {
  return new Date(Date.now() + offset * 86_400_000).toISOString().slice(0, 10);
}
