/**
 * Smoke test of the production shape (.ci/production-shape.sh starts it): through the gateway only,
 * like a client, plus the one operator's act the API cannot do (the first admin) and reading the
 * sign-up code where production keeps it without SMTP (the accounts `dev_outbox` table; the
 * `devOutbox` query is refused in production). One line per check, then "N passed, N failed".
 *
 *   GATEWAY_URL=http://127.0.0.1:5100/graphql ACCOUNTS_DATABASE_URL=postgres://... \
 *     node -r @swc-node/register .ci/production-smoke.ts
 */
import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { z } from 'zod';
import { ConfigError, parseEnv } from '@market/platform';

const env = parseEnv(
  'production-smoke',
  z.object({
    GATEWAY_URL: z.url(),
    ACCOUNTS_DATABASE_URL: z.string().regex(/^postgres(ql)?:\/\//),
    /** How long an event may take to cross Kafka into another subgraph (and into the search index). */
    SMOKE_EVENT_TIMEOUT_MS: z.coerce.number().int().min(1000).default(30_000),
  }),
);

const PASSWORD = 'production-smoke-password-1';
const run = randomUUID().slice(0, 8);
let passed = 0;
let failed = 0;

interface GraphQLBody<T> {
  data?: T | null;
  errors?: { message: string; extensions?: { code?: string } }[];
}

async function post<T>(query: string, variables: Record<string, unknown>, token?: string): Promise<GraphQLBody<T> & { status: number }> {
  const res = await fetch(env.GATEWAY_URL, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify({ query, variables }),
    signal: AbortSignal.timeout(15_000),
  });
  return { status: res.status, ...((await res.json()) as GraphQLBody<T>) };
}

/** The data of an operation that must succeed completely: any error fails the check. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- checks read responses loosely; the schema shaped them
async function gql<T = any>(query: string, variables: Record<string, unknown> = {}, token?: string): Promise<T> {
  const body = await post<T>(query, variables, token);
  if (body.errors?.length || !body.data) {
    throw new Error(`HTTP ${body.status}: ${body.errors?.map((e) => `${e.extensions?.code ?? ''} ${e.message}`).join('; ') ?? 'no data'}`);
  }
  return body.data;
}

async function check(name: string, fn: () => Promise<string | void>): Promise<boolean> {
  const started = Date.now();
  try {
    const detail = await fn();
    passed += 1;
    console.log(`ok    ${name} (${Date.now() - started} ms)${detail ? `: ${detail}` : ''}`);
    return true;
  } catch (err) {
    failed += 1;
    console.log(`FAIL  ${name} (${Date.now() - started} ms): ${err instanceof Error ? err.message : String(err)}`);
    return false;
  }
}

function assert(condition: unknown, message: string): asserts condition {
  if (!condition) throw new Error(message);
}

/** Retries `fn` until it returns something other than undefined: events reach other subgraphs a moment later. */
async function eventually<T>(what: string, fn: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + env.SMOKE_EVENT_TIMEOUT_MS;
  let last: unknown;
  for (;;) {
    try {
      const value = await fn();
      if (value !== undefined) return value;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) {
      throw new Error(`${what} within ${env.SMOKE_EVENT_TIMEOUT_MS} ms${last instanceof Error ? ` (last error: ${last.message})` : ''}`);
    }
    await new Promise((r) => setTimeout(r, 250));
  }
}

const isoDay = (offsetDays: number) => new Date(Date.now() + offsetDays * 86_400_000).toISOString().slice(0, 10);

interface Account {
  id: string;
  email: string;
  token: string;
}

async function main() {
  const accountsDb = new Client({ connectionString: env.ACCOUNTS_DATABASE_URL });
  await accountsDb.connect();
  const users: Record<'host' | 'guest' | 'admin', Account | undefined> = { host: undefined, guest: undefined, admin: undefined };
  let listingId: string | undefined;
  let machineId: string | undefined;
  let instanceId: string | undefined;

  try {
    await check('gateway answers with every subgraph ready', async () => {
      const res = await fetch(new URL('/readyz', env.GATEWAY_URL), { signal: AbortSignal.timeout(5000) });
      assert(res.ok, `/readyz answered ${res.status}: ${await res.text()}`);
    });

    await check('production hides introspection', async () => {
      const body = await post<{ __schema?: unknown }>('{ __schema { queryType { name } } }', {});
      assert(body.errors?.length && !body.data?.__schema, `introspection answered: ${JSON.stringify(body).slice(0, 200)}`);
    });

    await check('production refuses the development outbox', async () => {
      const body = await post('query($email: String!) { devOutbox(email: $email) { body } }', { email: 'nobody@example.com' });
      const code = body.errors?.[0]?.extensions?.code;
      assert(code === 'FORBIDDEN', `expected FORBIDDEN, got ${JSON.stringify(body).slice(0, 200)}`);
    });

    // accounts: sign up with the e-mailed code (read from the table production writes without SMTP).
    for (const [who, role, name] of [
      ['host', 'HOST', 'Hannah Host'],
      ['guest', 'BUYER', 'Gus Guest'],
      ['admin', 'BUYER', 'Ada Admin'],
    ] as const) {
      await check(`accounts: ${who} signs up and verifies the e-mailed code`, async () => {
        const email = `smoke-${run}-${who}@example.com`;
        const signedUp = await gql(`mutation($input: SignUpInput!) { signUp(input: $input) { __typename } }`, {
          input: { name, email, password: PASSWORD, role },
        });
        assert(signedUp.signUp.__typename === 'VerificationSent', `signUp: ${signedUp.signUp.__typename}`);
        const { rows } = await accountsDb.query<{ body: string }>(
          'SELECT body FROM dev_outbox WHERE recipient = $1 ORDER BY created_at DESC LIMIT 1',
          [email],
        );
        const code = /\b(\d{6})\b/.exec(rows[0]?.body ?? '')?.[1];
        assert(code, `no code in dev_outbox for ${email}`);
        const verified = await gql(
          `mutation($email: String!, $code: String!) { verifyEmail(email: $email, code: $code) { __typename ... on AuthPayload { accessToken user { id } } } }`,
          { email, code },
        );
        assert(verified.verifyEmail.__typename === 'AuthPayload', `verifyEmail: ${verified.verifyEmail.__typename}`);
        users[who] = { id: verified.verifyEmail.user.id, email, token: verified.verifyEmail.accessToken };
      });
    }
    const { host, guest, admin } = users;

    await check('accounts: the first admin, made in the database as an operator would, signs in as ADMIN', async () => {
      assert(admin, 'no admin account');
      await accountsDb.query(`UPDATE users SET role = 'ADMIN' WHERE email = $1`, [admin.email]);
      const res = await gql(
        `mutation($input: SignInInput!) { signIn(input: $input) { __typename ... on AuthPayload { accessToken user { role } } } }`,
        { input: { email: admin.email, password: PASSWORD } },
      );
      assert(res.signIn.user?.role === 'ADMIN', `signIn: ${JSON.stringify(res.signIn)}`);
      admin.token = res.signIn.accessToken;
    });

    await check('listings: the host creates a listing for rent', async () => {
      assert(host, 'no host account');
      const res = await gql(
        `mutation($input: CreateListingInput!) { createListing(input: $input) { id status } }`,
        {
          input: {
            title: `Smoke cottage ${run}`,
            description: 'A quiet cottage by the river, checked by the production smoke test.',
            kind: 'RENT',
            propertyType: 'HOUSE',
            pricePerNight: '120.00',
            cleaningFee: '30.00',
            maxGuests: 4,
            minNights: 1,
            instantBook: true,
            timeZone: 'Europe/Lisbon',
            currency: 'EUR',
            address: { line1: '1 Smoke Lane', city: 'Lisbon', country: 'PT' },
            zipCode: '1100-001',
            bedrooms: 2,
            bathrooms: 1,
            toilets: 1,
            location: { latitude: 38.7223, longitude: -9.1393 },
            images: ['https://example.com/smoke-1.jpg'],
            status: 'ACTIVE',
          },
        },
        host.token,
      );
      listingId = res.createListing.id;
      assert(res.createListing.status === 'ACTIVE', `status ${res.createListing.status}`);
    });

    await check('listings: the listing is found by text search (event → Elasticsearch index)', async () => {
      assert(listingId, 'no listing');
      return eventually('the listing in the search results', async () => {
        const res = await gql(`query($text: String!) { searchListings(text: $text) { totalCount edges { node { id } } } }`, {
          text: `cottage ${run}`,
        });
        return res.searchListings.edges.some((e: { node: { id: string } }) => e.node.id === listingId)
          ? `${res.searchListings.totalCount} match`
          : undefined;
      });
    });

    await check('bookings: the guest books a stay (the listing reached bookings through Kafka)', async () => {
      assert(listingId && guest, 'no listing or guest');
      let attempt = 0;
      return eventually('a booked stay', async () => {
        // A fresh key per attempt: a key answers its retries with its first result.
        const idempotencyKey = `smoke-${run}-${(attempt += 1)}`;
        const res = await gql(
          `mutation($input: BookStayInput!, $key: String) { bookStay(input: $input, idempotencyKey: $key) { __typename ... on Stay { id status } } }`,
          { input: { listingId, checkIn: isoDay(30), checkOut: isoDay(33), guests: 2 }, key: idempotencyKey },
          guest.token,
        );
        // ListingUnavailable until the listing's event has been consumed; then a Stay.
        return res.bookStay.__typename === 'Stay' ? `stay ${res.bookStay.status}` : undefined;
      });
    });

    await check('messaging: the guest writes to the host and the host answers', async () => {
      assert(host && guest, 'no host or guest');
      const started = await gql(
        `mutation($input: StartConversationInput!) { startConversation(input: $input) { __typename ... on Conversation { id } } }`,
        { input: { participantIds: [host.id], body: 'Hello! Is parking included?' } },
        guest.token,
      );
      await gql(
        `mutation($id: ID!, $body: String!) { sendMessage(conversationId: $id, body: $body) { id } }`,
        { id: started.startConversation.id, body: 'Yes, one car.' },
        host.token,
      );
    });

    await check('engagement: the host posts about the listing', async () => {
      assert(host && listingId, 'no host or listing');
      await gql(
        `mutation($input: CreatePostInput!) { createPost(input: $input) { __typename ... on Post { id } } }`,
        { input: { body: 'Spring at the cottage.', listingId } },
        host.token,
      );
    });

    await check('instances: the admin adds a machine and the host runs an instance of it', async () => {
      assert(admin && host, 'no admin or host');
      const machine = await gql(
        `mutation($input: CreateMachineInput!) { createMachine(input: $input) { id } }`,
        {
          input: {
            name: `smoke-${run}`,
            description: 'Sleeps; started by the production smoke test.',
            command: ['sleep', '300'],
            maxInstancesPerUser: 1,
            capacity: 2,
            allowedRoles: [],
          },
        },
        admin.token,
      );
      machineId = machine.createMachine.id;
      const created = await gql(
        `mutation($id: ID!) { createInstance(machineId: $id) { __typename ... on Instance { id status } } }`,
        { id: machineId },
        host.token,
      );
      assert(created.createInstance.__typename === 'Instance', `createInstance: ${created.createInstance.__typename}`);
      instanceId = created.createInstance.id;
      return eventually('the instance RUNNING', async () => {
        const res = await gql(`query($id: ID!) { instance(id: $id) { status } }`, { id: instanceId }, host.token);
        if (res.instance?.status === 'FAILED') throw new Error('the instance FAILED');
        return res.instance?.status === 'RUNNING' ? 'RUNNING' : undefined;
      });
    });

    await check('messaging: the host is notified of the stay (bookings event through Kafka)', async () => {
      assert(host, 'no host');
      return eventually('a notification for the host', async () => {
        const res = await gql(`{ me { notifications { kind title } } }`, {}, host.token);
        const kinds = (res.me.notifications as { kind: string }[]).map((n) => n.kind);
        return kinds.length ? kinds.join(', ') : undefined;
      });
    });

    await check('the cross-domain me query touches all six subgraphs without an error', async () => {
      assert(host && guest, 'no host or guest');
      const res = await gql(
        `{ me { name
            listings { title stays { guest { name } } }
            conversations { messages { sender { name } } }
            posts { body reactions { kind } }
            instances { edges { node { status machine { name } } } } } }`,
        {},
        host.token,
      );
      const me = res.me;
      assert(me.name === 'Hannah Host', `accounts: name ${me.name}`);
      assert(me.listings?.[0]?.stays?.[0]?.guest?.name === 'Gus Guest', `listings/bookings: ${JSON.stringify(me.listings)}`);
      const senders = (me.conversations?.[0]?.messages ?? []).map((m: { sender: { name: string } }) => m.sender?.name).sort();
      assert(senders.join() === 'Gus Guest,Hannah Host', `messaging: ${JSON.stringify(me.conversations)}`);
      assert(me.posts?.length === 1, `engagement: ${JSON.stringify(me.posts)}`);
      assert(me.instances?.edges?.[0]?.node?.machine?.name === `smoke-${run}`, `instances: ${JSON.stringify(me.instances)}`);
    });
  } finally {
    if (instanceId && users.host) {
      // The instance is a real process on this machine: stop it rather than leave it to the reconciler.
      await check('instances: the instance stops', async () => {
        await gql(`mutation($id: ID!) { stopInstance(id: $id) { status } }`, { id: instanceId }, users.host?.token);
        return eventually('the instance STOPPED', async () => {
          const res = await gql(`query($id: ID!) { instance(id: $id) { status } }`, { id: instanceId }, users.host?.token);
          return res.instance?.status === 'STOPPED' ? 'STOPPED' : undefined;
        });
      });
    }
    await accountsDb.end();
  }
}

main()
  .catch((err: unknown) => {
    failed += 1;
    console.log(`FAIL  smoke test stopped: ${err instanceof ConfigError ? err.message : err instanceof Error ? err.stack : String(err)}`);
  })
  .finally(() => {
    console.log(`${passed} passed, ${failed} failed`);
    process.exitCode = failed ? 1 : 0;
  });
