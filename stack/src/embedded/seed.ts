import path from 'node:path';
import { Client } from 'pg';
import { z } from 'zod';
import { ConfigError, parseEnv } from '@market/platform';
import { databaseUrl } from '@market/platform/db';
import { startEmbeddedPostgres } from '../postgres';
import { REPO_ROOT } from './env';
import { CITIES, LISTING_TEMPLATES, MACHINES, PEOPLE, POSTS, type Person } from './seed-data';

/**
 * `npm run seed`: fills a running platform (`npm start`) with demo data through the public API,
 * the way clients create it, so every rule and event runs. Only the first admin is made directly
 * in the accounts database, as an operator would.
 */
const seedEnvSchema = z.object({
  GATEWAY_URL: z.string().url().default('http://127.0.0.1:4000/graphql'),
  DATA_DIR: z.string().default(path.join(REPO_ROOT, '.data')),
  POSTGRES_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//)
    .optional(),
});

const PASSWORD = 'demo-password-1234';
const env = parseEnv('seed', seedEnvSchema);

interface Account extends Person {
  id: string;
  token: string;
}

class GraphQLFailure extends Error {}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- the seed reads responses loosely; the schema checked them
async function gql<T = any>(query: string, variables: Record<string, unknown> = {}, token?: string): Promise<T> {
  const res = await fetch(env.GATEWAY_URL, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await res.json()) as { data?: T; errors?: { message: string }[] };
  if (body.errors?.length || !body.data) throw new GraphQLFailure(body.errors?.map((e) => e.message).join('; ') ?? `HTTP ${res.status}`);
  return body.data;
}

let step = 0;
const STEPS = 7;
function progress(label: string, done: number, total: number) {
  const width = 24;
  const filled = Math.round((done / total) * width);
  const line = `[${step}/${STEPS}] ${label.padEnd(14)} ${'█'.repeat(filled)}${'░'.repeat(width - filled)} ${done}/${total}`;
  if (process.stdout.isTTY) process.stdout.write(`\r${line}${done === total ? '\n' : ''}`);
  else if (done === total) console.log(line);
}

async function each<T>(label: string, items: T[], fn: (item: T, i: number) => Promise<void>) {
  step += 1;
  progress(label, 0, items.length);
  for (const [i, item] of items.entries()) {
    await fn(item, i);
    progress(label, i + 1, items.length);
  }
}

async function signUpVerified(person: Person): Promise<Account> {
  const signedUp = await gql(`mutation($input: SignUpInput!) { signUp(input: $input) { __typename } }`, {
    input: {
      name: person.name,
      email: person.email,
      password: PASSWORD,
      phone: person.phone,
      role: person.role === 'ADMIN' ? 'BUYER' : person.role,
    },
  });
  if (signedUp.signUp.__typename !== 'VerificationSent')
    throw new GraphQLFailure(`sign-up of ${person.email}: ${signedUp.signUp.__typename}`);
  const outbox = await gql(`query($email: String!) { devOutbox(email: $email) { body } }`, { email: person.email });
  const code = /\b(\d{6})\b/.exec(outbox.devOutbox[0]?.body ?? '')?.[1];
  if (!code) throw new GraphQLFailure(`no code in the development outbox for ${person.email}`);
  const verified = await gql(
    `mutation($email: String!, $code: String!) { verifyEmail(email: $email, code: $code) { __typename ... on AuthPayload { accessToken user { id } } } }`,
    { email: person.email, code },
  );
  return { ...person, id: verified.verifyEmail.user.id, token: verified.verifyEmail.accessToken };
}

async function signIn(email: string): Promise<string | null> {
  const res = await gql(`mutation($input: SignInInput!) { signIn(input: $input) { __typename ... on AuthPayload { accessToken } } }`, {
    input: { email, password: PASSWORD },
  });
  return res.signIn.accessToken ?? null;
}

/** The first admin is an operator's act: promote the demo admin in the accounts database. */
async function promoteAdmin(email: string) {
  let url: string;
  let stop: (() => Promise<void>) | null = null;
  if (env.POSTGRES_URL) url = databaseUrl(env.POSTGRES_URL, 'market_accounts');
  else {
    // Attaches to the server `npm start` runs on this data directory.
    const pg = await startEmbeddedPostgres({ dataDir: path.join(env.DATA_DIR, 'postgres'), persistent: true });
    url = pg.urlFor('market_accounts');
    stop = pg.stop;
  }
  const db = new Client({ connectionString: url });
  await db.connect();
  try {
    await db.query(`UPDATE users SET role = 'ADMIN' WHERE email = $1`, [email]);
  } finally {
    await db.end();
    await stop?.();
  }
}

function isoDay(offsetDays: number): string {
  return new Date(Date.now() + offsetDays * 86_400_000).toISOString().slice(0, 10);
}

async function main() {
  try {
    await gql('{ __typename }');
  } catch {
    console.error(
      `No gateway answers at ${env.GATEWAY_URL}. Start the platform with \`npm start\`, then run \`npm run seed\` in another terminal.`,
    );
    process.exit(1);
  }
  const admin = PEOPLE.find((p) => p.role === 'ADMIN') as Person;
  if (await signIn(admin.email).catch(() => null)) {
    console.log(`Already seeded (${admin.email} exists). To start over: stop npm start, delete ${env.DATA_DIR}, start again.`);
    return;
  }
  const started = Date.now();
  const people: Account[] = [];
  await each('users', PEOPLE, async (person) => {
    people.push(await signUpVerified(person));
  });
  const byRole = (role: Person['role']) => people.filter((p) => p.role === role);
  const adminAccount = people.find((p) => p.role === 'ADMIN') as Account;
  await promoteAdmin(adminAccount.email);
  adminAccount.token = (await signIn(adminAccount.email)) as string;

  const listings: { id: string; kind: 'SALE' | 'RENT'; owner: Account }[] = [];
  const owners = { SALE: [...byRole('SELLER'), ...byRole('AGENT')], RENT: byRole('HOST') };
  await each('listings', LISTING_TEMPLATES, async (template, i) => {
    const city = CITIES[i % CITIES.length] as (typeof CITIES)[number];
    const owner = owners[template.kind][i % owners[template.kind].length] as Account;
    const slug = `${template.propertyType.toLowerCase()}-${city.name.toLowerCase().replace(/\W+/g, '-')}-${i}`;
    const created = await gql(
      `mutation($input: CreateListingInput!) { createListing(input: $input) { id } }`,
      {
        input: {
          title: `${template.title} in ${city.name}`,
          description: template.description,
          kind: template.kind,
          propertyType: template.propertyType,
          ...(template.kind === 'SALE'
            ? { price: String(template.basePrice * city.priceFactor) + '.00' }
            : {
                pricePerNight: String(Math.round(template.basePrice * city.priceFactor)) + '.00',
                maxGuests: template.guests,
                timeZone: city.timeZone,
                cleaningFee: '35.00',
                minNights: 1,
                instantBook: i % 2 === 0,
              }),
          currency: city.currency,
          address: { line1: `${10 + i} ${template.street}`, city: city.name, country: city.country },
          zipCode: city.zip,
          bedrooms: template.bedrooms,
          bathrooms: template.bathrooms,
          toilets: template.bathrooms + 1,
          location: { latitude: city.latitude + ((i % 7) - 3) * 0.004, longitude: city.longitude + ((i % 5) - 2) * 0.005 },
          images: [1, 2, 3].map((n) => `https://picsum.photos/seed/${slug}-${n}/1200/800`),
          status: 'ACTIVE',
        },
      },
      owner.token,
    );
    listings.push({ id: created.createListing.id, kind: template.kind, owner });
  });

  const rentals = listings.filter((l) => l.kind === 'RENT');
  const guests = [...byRole('BUYER'), ...byRole('SELLER')];
  await each('stays', rentals.slice(0, 12), async (listing, i) => {
    const guest = guests[i % guests.length] as Account;
    const checkIn = 14 + i * 3;
    // The listing reaches bookings by event; retry briefly until it has.
    for (let attempt = 0; ; attempt++) {
      const res = await gql(
        `mutation($input: BookStayInput!, $key: String) { bookStay(input: $input, idempotencyKey: $key) { __typename } }`,
        {
          input: { listingId: listing.id, checkIn: isoDay(checkIn), checkOut: isoDay(checkIn + 2 + (i % 4)), guests: 2 },
          key: `seed-stay-${listing.id}`,
        },
        guest.token,
      );
      if (res.bookStay.__typename === 'Stay' || attempt > 40) break;
      await new Promise((r) => setTimeout(r, 250));
    }
  });

  const forSale = listings.filter((l) => l.kind === 'SALE');
  await each('viewings', forSale.slice(0, 8), async (listing, i) => {
    const buyer = byRole('BUYER')[i % byRole('BUYER').length] as Account;
    const startsAt = new Date(Date.now() + (3 + i) * 86_400_000);
    startsAt.setUTCHours(10 + (i % 6), 0, 0, 0);
    for (let attempt = 0; ; attempt++) {
      try {
        await gql(
          `mutation($input: RequestViewingInput!) { requestViewing(input: $input) { __typename } }`,
          {
            input: {
              listingId: listing.id,
              startsAt: startsAt.toISOString(),
              endsAt: new Date(startsAt.getTime() + 45 * 60_000).toISOString(),
              note: 'Could we see the garden too?',
            },
          },
          buyer.token,
        );
        break;
      } catch (err) {
        if (attempt > 40) throw err;
        await new Promise((r) => setTimeout(r, 250));
      }
    }
  });

  await each('conversations', listings.slice(0, 10), async (listing, i) => {
    const buyer = guests[(i + 3) % guests.length] as Account;
    // Messaging hears of new users from accounts' events a moment after sign-up: retry until it has.
    let id: string | undefined;
    for (let attempt = 0; !id; attempt++) {
      const conversation = await gql(
        `mutation($input: StartConversationInput!) { startConversation(input: $input) { __typename ... on Conversation { id } } }`,
        { input: { participantIds: [listing.owner.id], body: `Hi ${listing.owner.name.split(' ')[0]}, is this still available?` } },
        buyer.token,
      );
      id = conversation.startConversation.id;
      if (!id) {
        if (attempt > 40) throw new Error(`startConversation: ${JSON.stringify(conversation.startConversation)}`);
        await new Promise((r) => setTimeout(r, 250));
      }
    }
    await gql(
      `mutation($id: ID!, $body: String!) { sendMessage(conversationId: $id, body: $body) { id } }`,
      { id, body: 'Yes! When would you like to come by?' },
      listing.owner.token,
    );
    await gql(
      `mutation($id: ID!, $body: String!) { sendMessage(conversationId: $id, body: $body) { id } }`,
      { id, body: 'Saturday morning works for me.' },
      buyer.token,
    );
  });

  await each('posts', POSTS, async (body, i) => {
    const author = people[(i * 5) % people.length] as Account;
    const listing = listings[i % listings.length];
    const post = await gql(
      `mutation($input: CreatePostInput!) { createPost(input: $input) { ... on Post { id } } }`,
      { input: { body, ...(i % 2 === 0 && listing ? { listingId: listing.id } : {}) } },
      author.token,
    );
    for (let c = 0; c < 2; c++) {
      const commenter = people[(i + c + 1) % people.length] as Account;
      await gql(
        `mutation($id: ID!, $body: String!) { addComment(postId: $id, body: $body) { ... on Comment { id } } }`,
        { id: post.createPost.id, body: c === 0 ? 'Lovely place!' : 'Is parking included?' },
        commenter.token,
      );
    }
    for (let r = 0; r < 4; r++) {
      const reactor = people[(i + r + 7) % people.length] as Account;
      const kind = ['LIKE', 'LOVE', 'WOW', 'LAUGH'][r] as string;
      await gql(
        `mutation($id: ID!, $kind: ReactionKind!) { react(postId: $id, kind: $kind) { id } }`,
        { id: post.createPost.id, kind },
        reactor.token,
      );
    }
  });

  const machines: string[] = [];
  await each('machines', MACHINES, async (machine) => {
    const created = await gql(
      `mutation($input: CreateMachineInput!) { createMachine(input: $input) { id } }`,
      { input: machine },
      adminAccount.token,
    );
    machines.push(created.createMachine.id);
  });

  console.log(
    `Seeded in ${((Date.now() - started) / 1000).toFixed(1)} s: ${people.length} users, ${listings.length} listings, 12 stays, 8 viewings, ` +
      `10 conversations, ${POSTS.length} posts, ${MACHINES.length} machine types. Every user's password is "${PASSWORD}"; ` +
      `the admin is ${adminAccount.email}.`,
  );
}

main().catch((err: unknown) => {
  console.error(err instanceof ConfigError ? err.message : `\nSeeding stopped: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
