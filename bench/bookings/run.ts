/**
 * Bookings benchmark, through the gateway on a real PostgreSQL:
 *   1. non-conflicting bookings per second, spread over many listings and all on one listing;
 *   2. how long a burst of 200 concurrent requests for the same nights takes (exactly one wins).
 *
 *   node -r @swc-node/register bench/bookings/run.ts
 *
 * It creates and migrates its own databases (bench_<run>_<domain>) on BENCH_POSTGRES_URL
 * (default postgres://postgres@127.0.0.1:5432/postgres), starts all six subgraphs and the gateway in
 * this process (bench/harness.ts), and drops the databases at the end. Knobs: BENCH_BOOKINGS,
 * BENCH_LISTINGS, BENCH_CONCURRENCY, BENCH_SINGLE_LISTING_BOOKINGS, BENCH_BURSTS, BENCH_BURST_SIZE,
 * BENCH_POOL_SIZE (each subgraph's DATABASE_POOL_SIZE).
 */
import '../sources';
import os from 'node:os';
import { loadAverage, log, percentile, SERVER_URL, setting as env, withBenchStack } from '../harness';

const BOOKINGS = env('BENCH_BOOKINGS', 1000);
const LISTINGS = env('BENCH_LISTINGS', 50);
const CONCURRENCY = env('BENCH_CONCURRENCY', 32);
const SINGLE_LISTING_BOOKINGS = env('BENCH_SINGLE_LISTING_BOOKINGS', 200);
const BURSTS = env('BENCH_BURSTS', 5);
const BURST_SIZE = env('BENCH_BURST_SIZE', 200);
const POOL_SIZE = env('BENCH_POOL_SIZE', 20);

const CREATE_LISTING = `mutation($input: CreateListingInput!) { createListing(input: $input) { id } }`;
const AVAILABILITY = `query($id: ID!, $from: Date!, $to: Date!) { availability(listingId: $id, from: $from, to: $to) { status } }`;
const BOOK = `mutation($input: BookStayInput!) { bookStay(input: $input) { __typename ... on Stay { id totalPrice } } }`;

const DAY_MS = 86_400_000;
const day = (days: number) => new Date(Date.now() + days * DAY_MS).toISOString().slice(0, 10);

async function main() {
  const loadAtStart = loadAverage();
  // Access tokens signed with the stack's key, as accounts would issue them: the benchmark measures
  // bookings, not sign-up (with its e-mailed codes and rate limits).
  await withBenchStack({ extraEnv: { DATABASE_POOL_SIZE: String(POOL_SIZE) } }, async ({ tokenFor, request }) => {
    // Rentals, created through listings; bookings learns of them from listings' events.
    const host = await tokenFor('HOST');
    const createRental = async (i: number): Promise<string> => {
      const res = await request(
        CREATE_LISTING,
        {
          input: {
            title: `Bench flat ${i}`,
            description: 'A flat for the bookings benchmark.',
            kind: 'RENT',
            propertyType: 'APARTMENT',
            pricePerNight: '100.00',
            cleaningFee: '25.00',
            maxGuests: 4,
            status: 'ACTIVE',
            address: { line1: 'Rua Augusta 10', city: 'Lisbon', country: 'PT' },
            location: { latitude: 38.71, longitude: -9.14 },
          },
        },
        host,
      );
      const id = res.data?.['createListing']?.id as string | undefined;
      if (!id) throw new Error(`createListing failed: ${JSON.stringify(res.errors)}`);
      return id;
    };
    const waitUntilBookable = async (id: string) => {
      for (const deadline = Date.now() + 30_000; Date.now() < deadline;) {
        const res = await request(AVAILABILITY, { id, from: day(1), to: day(2) }, host);
        if (res.data?.['availability']) return;
        await new Promise((r) => setTimeout(r, 50));
      }
      throw new Error(`bookings never heard of listing ${id}`);
    };
    const listingIds: string[] = [];
    for (let i = 0; i < LISTINGS + BURSTS + 2; i++) listingIds.push(await createRental(i));
    for (const id of listingIds) await waitUntilBookable(id);
    const spread = listingIds.slice(0, LISTINGS);
    const single = listingIds[LISTINGS] as string;
    const warmUp = listingIds[LISTINGS + 1] as string;
    const burstListings = listingIds.slice(LISTINGS + 2);
    log(`${listingIds.length} listings created and replicated to bookings`);

    interface Task {
      listingId: string;
      checkIn: string;
      checkOut: string;
      token: string;
    }
    const tasksOver = async (count: number, listingFor: (i: number) => string, nightFor: (i: number) => number): Promise<Task[]> =>
      Promise.all(
        Array.from({ length: count }, async (_, i) => ({
          listingId: listingFor(i),
          checkIn: day(10 + nightFor(i)),
          checkOut: day(11 + nightFor(i)),
          token: await tokenFor('BUYER'),
        })),
      );
    /** What went wrong, by message: printed at the end, so a failed run says why. */
    const errors = new Map<string, number>();
    const noteError = (res: GraphQLResult) => {
      const message =
        res.errors?.map((e) => `${String(e.extensions?.['code'] ?? '')} ${e.message}`).join('; ') ?? `answered ${JSON.stringify(res.data)}`;
      errors.set(message, (errors.get(message) ?? 0) + 1);
    };
    const book = (t: Task) =>
      request(BOOK, { input: { listingId: t.listingId, checkIn: t.checkIn, checkOut: t.checkOut, guests: 1 } }, t.token);

    /** Runs the tasks with `concurrency` clients in flight; every one must book. */
    const throughput = async (tasks: Task[], concurrency: number) => {
      const latencies: number[] = [];
      let next = 0;
      let failures = 0;
      const started = performance.now();
      const cpu = process.cpuUsage();
      await Promise.all(
        Array.from({ length: concurrency }, async () => {
          for (let i = next++; i < tasks.length; i = next++) {
            const t0 = performance.now();
            const res = await book(tasks[i] as Task);
            latencies.push(performance.now() - t0);
            if (res.data?.['bookStay']?.__typename !== 'Stay') {
              failures += 1;
              noteError(res);
            }
          }
        }),
      );
      const seconds = (performance.now() - started) / 1000;
      const { user, system } = process.cpuUsage(cpu);
      latencies.sort((a, b) => a - b);
      return {
        /** CPU of this process (gateway and all six subgraphs; PostgreSQL not included) per booking. */
        cpuMsPerBooking: (user + system) / 1000 / tasks.length,
        bookings: tasks.length,
        failures,
        seconds,
        perSecond: (tasks.length - failures) / seconds,
        p50: percentile(latencies, 50),
        p95: percentile(latencies, 95),
        p99: percentile(latencies, 99),
      };
    };

    await throughput(
      await tasksOver(
        40,
        () => warmUp,
        (i) => i,
      ),
      8,
    );
    log('warmed up');

    const spreadTasks = await tasksOver(
      BOOKINGS,
      (i) => spread[i % spread.length] as string,
      (i) => Math.floor(i / spread.length),
    );
    const spreadResult = await throughput(spreadTasks, CONCURRENCY);
    log(`spread: ${spreadResult.perSecond.toFixed(1)} bookings/s`);

    const singleTasks = await tasksOver(
      SINGLE_LISTING_BOOKINGS,
      () => single,
      (i) => i,
    );
    const singleResult = await throughput(singleTasks, CONCURRENCY);
    log(`one listing: ${singleResult.perSecond.toFixed(1)} bookings/s`);

    const bursts: { ms: number; stays: number; unavailable: number; other: number }[] = [];
    for (const listingId of burstListings) {
      const tokens = await Promise.all(Array.from({ length: BURST_SIZE }, () => tokenFor('BUYER')));
      const started = performance.now();
      const results = await Promise.all(tokens.map((token) => book({ listingId, checkIn: day(20), checkOut: day(23), token })));
      const ms = performance.now() - started;
      const kinds = results.map((r) => r.data?.['bookStay']?.__typename ?? 'error');
      results.filter((r) => !r.data?.['bookStay']).forEach(noteError);
      const stays = kinds.filter((k) => k === 'Stay').length;
      const unavailable = kinds.filter((k) => k === 'DatesUnavailable').length;
      bursts.push({ ms, stays, unavailable, other: kinds.length - stays - unavailable });
      log(`burst: ${ms.toFixed(0)} ms, ${stays} stay(s), ${unavailable} DatesUnavailable`);
    }
    const burstMs = bursts.map((b) => b.ms).sort((a, b) => a - b);
    const exact = bursts.every((b) => b.stays === 1 && b.unavailable === BURST_SIZE - 1 && b.other === 0);

    const fmt = (n: number, digits = 1) => n.toFixed(digits);
    const row = (name: string, r: typeof spreadResult) =>
      `| ${name} | ${r.bookings} | ${r.failures} | ${fmt(r.seconds, 2)} | ${fmt(r.perSecond)} | ${fmt(r.p50)} | ${fmt(r.p95)} | ${fmt(r.p99)} | ${fmt(r.cpuMsPerBooking)} |`;
    const lines = [
      `Bookings benchmark (${new Date().toISOString()}, Node ${process.version}, PostgreSQL at ${new URL(SERVER_URL).host}, pool ${POOL_SIZE}/subgraph, ${CONCURRENCY} clients)`,
      '',
      `Machine: ${os.cpus().length} CPUs, load average ${loadAtStart} at start, ${loadAverage()} at the end.`,
      '',
      '| scenario | bookings | failed | seconds | bookings/s | p50 ms | p95 ms | p99 ms | CPU ms/booking (Node) |',
      '|---|---:|---:|---:|---:|---:|---:|---:|---:|',
      row(`non-conflicting, over ${spread.length} listings`, spreadResult),
      row('non-conflicting, all on one listing', singleResult),
      '',
      `Conflict burst: ${BURST_SIZE} concurrent bookStay for the same nights, ${bursts.length} runs: ` +
        `${burstMs.map((ms) => `${fmt(ms, 0)} ms`).join(', ')} (median ${fmt(percentile(burstMs, 50), 0)} ms); ` +
        `exactly 1 Stay and ${BURST_SIZE - 1} DatesUnavailable every time: ${exact ? 'yes' : 'NO'}`,
    ];
    for (const [message, count] of errors) lines.push('', `Failed ${count}×: ${message.slice(0, 300)}`);
    console.log(lines.join('\n'));
    if (!exact || spreadResult.failures > 0 || singleResult.failures > 0) process.exitCode = 1;
  });
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
