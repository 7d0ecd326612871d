import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync, existsSync, createReadStream } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { Client } from 'pg';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import {
  createLogger,
  InProcessEventBus,
  MemoryPubSub,
  MemorySessionRevocations,
  SUBGRAPH_NAMES,
  type SubgraphName,
} from '@market/platform';
import { eventually, testDatabaseUrl, testSecrets, unique } from '@market/platform/testing';
import { startStack, type RunningStack } from '@market/stack';
import globalSetup from '@market/stack/dist/testing/global-setup';
import globalTeardown from '@market/stack/dist/testing/global-teardown';
import { env } from './env';

const WEB = path.resolve(__dirname, '..');
const DIST = path.join(WEB, 'dist');
const APP_MANIFEST = path.join(WEB, 'src', 'generated', 'persisted-documents.json');

/**
 * The operations the tests themselves send to set the scene (a host's listing, an admin's machine):
 * a deployment's operator tools would be built with their own manifest the same way. The gateway
 * enforces the app's manifest plus these, so every request the browser makes is checked against it.
 */
const FIXTURE_OPERATIONS = {
  CreateListing: `mutation FixtureCreateListing($input: CreateListingInput!) { createListing(input: $input) { id } }`,
  ListingReachedBookings: `query FixtureAvailability($id: ID!, $from: Date!, $to: Date!) { availability(listingId: $id, from: $from, to: $to) { date } }`,
  CreateMachine: `mutation FixtureCreateMachine($input: CreateMachineInput!) { createMachine(input: $input) { id } }`,
  CreateInstance: `mutation FixtureCreateInstance($id: ID!) { createInstance(machineId: $id) { __typename ... on Instance { id } } }`,
  InstanceStatus: `query FixtureInstance($id: ID!) { instance(id: $id) { status } }`,
  CreateAuction: `mutation FixtureCreateAuction($input: CreateAuctionInput!) { createAuction(input: $input) { __typename ... on Auction { id status } } }`,
} as const;

const appManifest = JSON.parse(readFileSync(APP_MANIFEST, 'utf8')) as Record<string, string>;
const appByName = new Map(Object.values(appManifest).map((body) => [/\b(?:query|mutation|subscription)\s+(\w+)/.exec(body)?.[1], body]));

/** The manifest text of one of the app's operations, for the tests to send as the app would. */
export function appOperation(name: string): string {
  const body = appByName.get(name);
  if (!body) throw new Error(`${name} is not an operation of the app`);
  return body;
}

export interface Account {
  id: string;
  name: string;
  email: string;
  accessToken: string;
  accessTokenExpiresAt: string;
  refreshToken: string;
  password: string;
}

export interface Harness {
  stack: RunningStack;
  appUrl: string;
  browser: Browser;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- the tests read responses loosely; the schema checked them
  request<T = any>(query: string, variables?: Record<string, unknown>, token?: string): Promise<T>;
  createAccount(role: 'BUYER' | 'HOST' | 'SELLER' | 'ADMIN', name: string): Promise<Account>;
  /**
   * A token for the tests' own API calls: a session of its own (signed in with the password), so the
   * browser's session and its refresh token are never rotated under it. Renewed when about to expire.
   */
  token(account: Account): Promise<string>;
  /** A browser context signed in as the account (the session the app keeps in localStorage). */
  signedInContext(account: Account | null): Promise<BrowserContext>;
  createRental(host: Account, title: string, overrides?: Record<string, unknown>): Promise<string>;
  runningInstance(admin: Account, owner: Account): Promise<string>;
  /** A house for sale and its auction, open from now for an hour. */
  openAuction(seller: Account, title: string): Promise<string>;
  screenshot(page: Page, name: string): Promise<void>;
  stop(): Promise<void>;
}

/** Serves the production build (dist/) the way any static host would, with config.js pointing at the gateway. */
function serveApp(configJs: () => string): Promise<{ server: http.Server; url: string }> {
  const types: Record<string, string> = {
    '.html': 'text/html',
    '.js': 'text/javascript',
    '.css': 'text/css',
    '.json': 'application/json',
    '.map': 'application/json',
  };
  const server = http.createServer((req, res) => {
    const pathname = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    if (pathname === '/config.js') {
      res.writeHead(200, { 'content-type': 'text/javascript' }).end(configJs());
      return;
    }
    const file = path.join(DIST, path.normalize(pathname === '/' ? '/index.html' : pathname));
    if (!file.startsWith(DIST) || !existsSync(file)) {
      res.writeHead(404).end('not found');
      return;
    }
    res.writeHead(200, { 'content-type': types[path.extname(file)] ?? 'application/octet-stream' });
    createReadStream(file).pipe(res);
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => resolve({ server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` })),
  );
}

export async function startHarness(): Promise<Harness> {
  if (!existsSync(path.join(DIST, 'index.html')))
    throw new Error('No production build in clients/web/dist: run `npm run build -w clients/web` first.');
  let gatewayUrl = '';
  const app = await serveApp(() => `window.MARKET_CONFIG = ${JSON.stringify({ graphqlUrl: gatewayUrl })};\n`);

  await globalSetup();
  const manifestPath = path.join(mkdtempSync(path.join(os.tmpdir(), 'market-web-')), 'persisted-documents.json');
  const fixtures = Object.fromEntries(
    Object.values(FIXTURE_OPERATIONS).map((body) => [createHash('sha256').update(body).digest('hex'), body]),
  );
  writeFileSync(manifestPath, JSON.stringify({ ...appManifest, ...fixtures }));

  const secrets = await testSecrets();
  const stack = await startStack({
    databaseUrls: Object.fromEntries(SUBGRAPH_NAMES.map((d) => [d, testDatabaseUrl(d)])) as Record<SubgraphName, string>,
    signingSecret: secrets.signingSecret,
    jwtPrivateKey: secrets.privateKeyPem,
    jwtPublicKey: secrets.publicKeyPem,
    // 'test': the development outbox is readable, and trusted documents are enforced (development only warns).
    nodeEnv: 'test',
    logLevel: 'error',
    bus: new InProcessEventBus(createLogger('events', 'silent')),
    pubsub: new MemoryPubSub(createLogger('pubsub', 'silent')),
    revocations: new MemorySessionRevocations(),
    extraEnv: {
      CORS_ORIGINS: app.url,
      ACCESS_TOKEN_TTL_SECONDS: env.accessTokenTtlSeconds,
      TRUSTED_DOCUMENTS: 'enforce',
      TRUSTED_DOCUMENTS_MANIFEST: manifestPath,
    },
    subscriptionLimits: { upstreamIdleCloseMs: 50 },
  });
  gatewayUrl = stack.url;
  const browser = await chromium.launch({
    executablePath: env.chromium,
    headless: !env.headed,
    args: ['--no-sandbox', '--disable-dev-shm-usage'],
  });

  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- as above
  async function request<T = any>(query: string, variables: Record<string, unknown> = {}, token?: string): Promise<T> {
    const res = await fetch(stack.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: JSON.stringify({ query, variables }),
    });
    const body = (await res.json()) as { data?: T; errors?: { message: string }[] };
    if (body.errors?.length || !body.data) throw new Error(`HTTP ${res.status}: ${JSON.stringify(body.errors ?? body)}`);
    return body.data;
  }

  const apiTokens = new Map<string, { token: string; expiresAt: number }>();
  const harness: Harness = {
    stack,
    appUrl: app.url,
    browser,
    request,
    async createAccount(role, name) {
      const email = `${unique(role.toLowerCase())}@example.com`;
      const password = 'correct horse battery staple';
      await request(appOperation('SignUp'), { input: { name, email, password, role: role === 'ADMIN' ? 'BUYER' : role } });
      if (role === 'ADMIN') {
        // The first admin is an operator's act, in the accounts database.
        const db = new Client({ connectionString: testDatabaseUrl('accounts') });
        await db.connect();
        await db.query(`UPDATE users SET role = 'ADMIN' WHERE email = $1`, [email]).finally(() => db.end());
      }
      const outbox = await request(appOperation('DevOutbox'), { email });
      const code = /\b(\d{6})\b/.exec(outbox.devOutbox[0]?.body ?? '')?.[1];
      const verified = await request(appOperation('VerifyEmail'), { email, code });
      const auth = verified.verifyEmail;
      if (auth.__typename !== 'AuthPayload') throw new Error(`verification of ${email}: ${auth.__typename}`);
      return {
        id: auth.user.id,
        name,
        email,
        password,
        accessToken: auth.accessToken,
        accessTokenExpiresAt: auth.accessTokenExpiresAt,
        refreshToken: auth.refreshToken,
      };
    },
    async token(account) {
      const cached = apiTokens.get(account.id);
      if (cached && cached.expiresAt - Date.now() > 8_000) return cached.token;
      const res = await request(appOperation('SignIn'), { input: { email: account.email, password: account.password } });
      if (res.signIn.__typename !== 'AuthPayload') throw new Error(`sign-in of ${account.email}: ${res.signIn.__typename}`);
      apiTokens.set(account.id, { token: res.signIn.accessToken, expiresAt: Date.parse(res.signIn.accessTokenExpiresAt) });
      return res.signIn.accessToken as string;
    },
    async signedInContext(account) {
      const context = await browser.newContext({ viewport: { width: 1200, height: 820 } });
      if (account) {
        const session = {
          accessToken: account.accessToken,
          accessTokenExpiresAt: account.accessTokenExpiresAt,
          refreshToken: account.refreshToken,
          userId: account.id,
          name: account.name,
        };
        await context.addInitScript((s) => {
          if (!localStorage.getItem('market.session')) localStorage.setItem('market.session', s);
        }, JSON.stringify(session));
      }
      return context;
    },
    async createRental(host, title, overrides = {}) {
      const created = await request(
        FIXTURE_OPERATIONS.CreateListing,
        {
          input: {
            title,
            description: 'A bright flat with a balcony over the old town, two minutes from the tram.',
            kind: 'RENT',
            propertyType: 'APARTMENT',
            pricePerNight: '120.00',
            cleaningFee: '35.00',
            currency: 'EUR',
            maxGuests: 4,
            minNights: 1,
            instantBook: true,
            timeZone: 'Europe/Lisbon',
            address: { line1: '12 Rua das Flores', city: 'Lisbon', country: 'PT' },
            bedrooms: 2,
            bathrooms: 1,
            location: { latitude: 38.705 + Math.random() * 0.02, longitude: -9.15 + Math.random() * 0.03 },
            status: 'ACTIVE',
            ...overrides,
          },
        },
        await harness.token(host),
      );
      const id = created.createListing.id as string;
      // The listing reaches bookings by event: wait until it answers availability for it.
      await eventually(
        async () =>
          request(FIXTURE_OPERATIONS.ListingReachedBookings, { id, from: '2030-01-01', to: '2030-01-02' }, await harness.token(host)).then(
            () => true,
            () => false,
          ),
        {
          timeoutMs: 20_000,
          what: 'the listing to reach bookings',
        },
      );
      return id;
    },
    async runningInstance(admin, owner) {
      const script = "console.error('ticker starting'); let n = 0; setInterval(() => console.log('tick ' + (++n)), 200);";
      const machine = await request(
        FIXTURE_OPERATIONS.CreateMachine,
        {
          input: { name: `ticker-${Date.now()}`, command: ['node', '-e', script], exposedPort: 8080, maxInstancesPerUser: 1, capacity: 5 },
        },
        await harness.token(admin),
      );
      const created = await request(FIXTURE_OPERATIONS.CreateInstance, { id: machine.createMachine.id }, await harness.token(owner));
      const id = created.createInstance.id as string;
      await eventually(
        async () => (await request(FIXTURE_OPERATIONS.InstanceStatus, { id }, await harness.token(owner))).instance?.status === 'RUNNING',
        {
          timeoutMs: 20_000,
          what: 'the instance to run',
        },
      );
      return id;
    },
    async openAuction(seller, title) {
      const listing = await request(
        FIXTURE_OPERATIONS.CreateListing,
        {
          input: {
            title,
            description: 'A stone farmhouse with an orchard and a view of the valley.',
            kind: 'SALE',
            propertyType: 'HOUSE',
            price: '420000',
            currency: 'EUR',
            status: 'ACTIVE',
            address: { line1: '3 Orchard Lane', city: 'Evora', country: 'PT' },
            location: { latitude: 38.57, longitude: -7.91 },
            bedrooms: 4,
          },
        },
        await harness.token(seller),
      );
      const created = await request(
        FIXTURE_OPERATIONS.CreateAuction,
        {
          input: {
            listingId: listing.createListing.id,
            startsAt: new Date().toISOString(),
            endsAt: new Date(Date.now() + 3_600_000).toISOString(),
            currency: 'EUR',
            startingPrice: '400000',
            minimumIncrement: '1000',
          },
        },
        await harness.token(seller),
      );
      if (created.createAuction.__typename !== 'Auction') throw new Error(`createAuction: ${created.createAuction.__typename}`);
      return created.createAuction.id as string;
    },
    async screenshot(page, name) {
      await page.screenshot({ path: path.join(env.screenshots, `${name}.png`) });
    },
    async stop() {
      await browser.close().catch(() => undefined);
      await stack.stop().catch(() => undefined);
      await new Promise((r) => app.server.close(r));
      await globalTeardown();
    },
  };
  return harness;
}
