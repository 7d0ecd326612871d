/**
 * The bookings subgraph alone: signed bookStay calls straight to it (no gateway, no other
 * subgraph, no consumers of its events), on a database of its own. It says what the subgraph's side
 * of a booking costs: CPU milliseconds of this process per booking (the subgraph, its outbox relay
 * and this client) and SQL statements per booking, which run.ts cannot separate from the gateway's
 * and the consumers' share.
 *
 *   node -r @swc-node/register bench/bookings/subgraph.ts
 *
 * Knobs: BENCH_POSTGRES_URL, BENCH_BOOKINGS (1000), BENCH_LISTINGS (50), BENCH_CONCURRENCY (32),
 * BENCH_POOL_SIZE (20).
 */
import '../sources';
import { randomBytes, randomUUID } from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import { createLogger, InProcessEventBus, type Identity } from '@market/platform';
import { applyMigrations, databaseUrl, dropDatabases, ensureDatabases } from '@market/platform/db';
import { callSubgraph } from '@market/platform/testing';
import { createSubgraph, loadEnv } from '@market/bookings';

const ROOT = path.resolve(__dirname, '..', '..');
const env = (name: string, fallback: number) => Number(process.env[name] ?? fallback);
const SERVER_URL = process.env['BENCH_POSTGRES_URL'] ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const BOOKINGS = env('BENCH_BOOKINGS', 1000);
const LISTINGS = env('BENCH_LISTINGS', 50);
const CONCURRENCY = env('BENCH_CONCURRENCY', 32);
const POOL_SIZE = env('BENCH_POOL_SIZE', 20);
const BOOK = `mutation($input: BookStayInput!) { bookStay(input: $input) { __typename ... on Stay { id totalPrice } } }`;
const DAY_MS = 86_400_000;
const day = (days: number) => new Date(Date.now() + days * DAY_MS).toISOString().slice(0, 10);

async function main() {
  const name = `bench_${Date.now().toString(36)}_${process.pid}_bookings`;
  const url = databaseUrl(SERVER_URL, name);
  const loadAtStart = os
    .loadavg()
    .map((l) => l.toFixed(1))
    .join(' ');
  await ensureDatabases(SERVER_URL, [name]);
  const logger = createLogger('bookings', 'silent');
  const bus = new InProcessEventBus(createLogger('bench', 'warn'), { attempts: 1, initialDelayMs: 1, maxDelayMs: 1 });
  let statements = 0;
  try {
    await applyMigrations({
      databaseUrl: url,
      migrationsDir: path.join(ROOT, 'prisma', 'bookings', 'migrations'),
      schemaPath: path.join(ROOT, 'prisma', 'bookings', 'schema.prisma'),
    });
    const secret = randomBytes(32).toString('hex');
    const subgraph = await createSubgraph(
      loadEnv({
        NODE_ENV: 'test',
        LOG_LEVEL: 'silent',
        DATABASE_URL: url,
        GATEWAY_SIGNING_SECRET: secret,
        DATABASE_POOL_SIZE: String(POOL_SIZE),
        RATE_LIMIT_BOOKING: '10000/10s',
      }),
      logger,
      { bus, onQuery: () => (statements += 1) },
    );
    const running = await subgraph.listen(0, '127.0.0.1');
    try {
      const listingIds = Array.from({ length: LISTINGS }, () => randomUUID());
      await bus.publish(
        listingIds.map((listingId, i) => ({
          id: randomUUID(),
          type: 'listings.listing.upserted' as const,
          version: 1,
          aggregateId: listingId,
          occurredAt: new Date().toISOString(),
          payload: {
            listingId,
            ownerId: randomUUID(),
            title: `Bench flat ${i}`,
            kind: 'RENT' as const,
            status: 'ACTIVE',
            price: null,
            pricePerNight: '100.00',
            currency: 'EUR',
            maxGuests: 4,
            timeZone: 'UTC',
          },
        })),
      );
      await bus.drain();
      const book = (i: number) => {
        const guest: Identity = { userId: randomUUID(), role: 'BUYER', sessionId: randomUUID() };
        const nights = 10 + Math.floor(i / LISTINGS);
        return callSubgraph<{ bookStay: { __typename: string } }>(
          running.url,
          {
            query: BOOK,
            variables: { input: { listingId: listingIds[i % LISTINGS], checkIn: day(nights), checkOut: day(nights + 1), guests: 1 } },
          },
          { secret, identity: guest },
        );
      };
      // Warm-up on nights far away from the measured ones.
      for (let i = 0; i < 40; i++) await book(LISTINGS * 400 + i);

      const latencies: number[] = [];
      let failures = 0;
      let next = 0;
      statements = 0;
      const cpu = process.cpuUsage();
      const started = performance.now();
      await Promise.all(
        Array.from({ length: CONCURRENCY }, async () => {
          for (let i = next++; i < BOOKINGS; i = next++) {
            const t0 = performance.now();
            const res = await book(i);
            latencies.push(performance.now() - t0);
            if (res.data?.bookStay?.__typename !== 'Stay') failures += 1;
          }
        }),
      );
      const seconds = (performance.now() - started) / 1000;
      const used = process.cpuUsage(cpu);
      latencies.sort((a, b) => a - b);
      const at = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))]!.toFixed(1);
      console.log(
        `bookings subgraph alone (${new Date().toISOString()}, Node ${process.version}, pool ${POOL_SIZE}, ${CONCURRENCY} clients, ` +
          `load average ${loadAtStart} at start, ${os
            .loadavg()
            .map((l) => l.toFixed(1))
            .join(' ')} at the end)\n` +
          `${BOOKINGS} bookings, ${failures} failed, ${seconds.toFixed(2)} s, ${((BOOKINGS - failures) / seconds).toFixed(1)} bookings/s, ` +
          `p50 ${at(50)} ms, p95 ${at(95)} ms, p99 ${at(99)} ms, ` +
          `CPU ${((used.user + used.system) / 1000 / BOOKINGS).toFixed(2)} ms/booking, ` +
          `${(statements / BOOKINGS).toFixed(1)} logged SQL statements/booking (BEGIN not logged)`,
      );
      if (failures > 0) process.exitCode = 1;
    } finally {
      await running.close();
      await subgraph.close();
    }
  } finally {
    await bus.close().catch(() => undefined);
    await dropDatabases(SERVER_URL, [name]).catch(() => undefined);
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
