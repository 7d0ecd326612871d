/**
 * `npm run recommendations:postgres`: the evaluation's log replayed into PostgreSQL through the
 * service's own repository (each interaction one `record` transaction, as the consumers and views
 * apply it), then the blend's hit-rate@10 and NDCG@10 read from PostgreSQL (to compare with the
 * in-memory run of the same log) and the latency of `recommendFor` and `similarTo`, one request at a
 * time. A fresh database `bench_recommendations` on BENCH_POSTGRES_URL (default the local server),
 * migrated like production. Options: --seed --listings --users --days --train --runs.
 */
import '../sources';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { applyMigrations, databaseUrl, ensureDatabases } from '@market/platform/db';
import { createPrisma } from '../../subgraphs/listings/src/db';
import { RecommendationRepository } from '../../subgraphs/listings/src/repositories/recommendation-repository';
import { RecommendationEngine } from '../../subgraphs/listings/src/recommendations/engine';
import { USER_BLEND } from '../../subgraphs/listings/src/recommendations/rules/scoring';
import { generateLog } from './generator';

const ROOT = path.resolve(__dirname, '..', '..');
const SERVER_URL = process.env['BENCH_POSTGRES_URL'] ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const K = 10;

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  const value = i >= 0 ? Number(process.argv[i + 1]) : fallback;
  if (!Number.isFinite(value)) throw new Error(`--${name} must be a number`);
  return value;
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
}

async function main(): Promise<void> {
  const options = { seed: arg('seed', 42), listings: arg('listings', 3000), users: arg('users', 600), days: arg('days', 180) };
  const runs = arg('runs', 200);
  const log = generateLog(options);
  const cutoff = new Date(log.start.getTime() + (log.end.getTime() - log.start.getTime()) * arg('train', 0.8));

  const url = databaseUrl(SERVER_URL, 'bench_recommendations');
  await ensureDatabases(SERVER_URL, ['bench_recommendations']);
  const dir = path.join(ROOT, 'prisma', 'listings');
  await applyMigrations({ databaseUrl: url, migrationsDir: path.join(dir, 'migrations'), schemaPath: path.join(dir, 'schema.prisma') });
  const db = createPrisma(url, 4);
  try {
    await db.$executeRawUnsafe('TRUNCATE listings CASCADE');
    const listings = log.listings.filter((l) => l.createdAt <= cutoff);
    for (let i = 0; i < listings.length; i += 1000) {
      const batch = listings.slice(i, i + 1000);
      await db.$executeRaw`INSERT INTO listings (id, owner_id, title, description, kind, property_type, price, price_per_night, max_guests,
          cancellation_policy, address_line1, city, country, bedrooms, latitude, longitude, status, updated_at)
        SELECT b.id, b.owner_id, 'Bench listing', '', b.kind::"ListingKind", b.property_type::"PropertyType",
          CASE WHEN b.kind = 'SALE' THEN b.amount END, CASE WHEN b.kind = 'RENT' THEN b.amount END, CASE WHEN b.kind = 'RENT' THEN 4 END,
          CASE WHEN b.kind = 'RENT' THEN 'MODERATE'::"CancellationPolicy" END, '1 Bench St', 'Bench', 'PT', b.bedrooms, b.latitude, b.longitude, 'ACTIVE', now()
        FROM unnest(${batch.map((l) => l.id)}::uuid[], ${batch.map((l) => l.ownerId)}::uuid[], ${batch.map((l) => l.kind)}::text[],
          ${batch.map((l) => l.propertyType)}::text[], ${batch.map((l) => l.amount)}::numeric[], ${batch.map((l) => l.bedrooms)}::int[],
          ${batch.map((l) => l.latitude)}::float8[], ${batch.map((l) => l.longitude)}::float8[])
          AS b(id, owner_id, kind, property_type, amount, bedrooms, latitude, longitude)`;
    }
    const store = new RecommendationRepository(db);
    const train = log.interactions.filter((i) => i.at < cutoff);
    let started = performance.now();
    for (const [n, i] of train.entries()) {
      await store.record(i.userId, i.listingId, i.kind, i.at);
      if ((n + 1) % 2000 === 0) process.stdout.write(`\rreplayed ${n + 1}/${train.length} interactions`);
    }
    const replaySeconds = (performance.now() - started) / 1000;
    console.log(
      `\r${listings.length} listings, ${train.length} interactions replayed in ${replaySeconds.toFixed(1)} s (${(train.length / replaySeconds).toFixed(0)}/s, one transaction each)`,
    );

    const seen = new Map<string, Set<string>>();
    for (const i of train) seen.set(i.userId, (seen.get(i.userId) ?? new Set()).add(i.listingId));
    const existing = new Set(listings.map((l) => l.id));
    const relevant = new Map<string, Set<string>>();
    for (const i of log.interactions.filter((x) => x.at >= cutoff)) {
      if (!seen.has(i.userId) || seen.get(i.userId)!.has(i.listingId) || !existing.has(i.listingId)) continue;
      relevant.set(i.userId, (relevant.get(i.userId) ?? new Set()).add(i.listingId));
    }
    const engine = new RecommendationEngine(store);
    let hits = 0;
    let ndcg = 0;
    const userTimes: number[] = [];
    for (const [userId, wanted] of relevant) {
      started = performance.now();
      const shown = await engine.recommendFor(userId, { first: K, weights: USER_BLEND });
      userTimes.push(performance.now() - started);
      let dcg = 0;
      shown.forEach((s, rank) => {
        if (wanted.has(s.id)) dcg += 1 / Math.log2(rank + 2);
      });
      let ideal = 0;
      for (let rank = 0; rank < Math.min(K, wanted.size); rank++) ideal += 1 / Math.log2(rank + 2);
      if (dcg > 0) hits++;
      ndcg += dcg / ideal;
    }
    console.log(
      `blend from PostgreSQL over ${relevant.size} users: hit-rate@10 ${(hits / relevant.size).toFixed(3)}, NDCG@10 ${(ndcg / relevant.size).toFixed(3)}`,
    );
    const itemTimes: number[] = [];
    for (let r = 0; r < runs; r++) {
      const listing = listings[(r * 7919) % listings.length]!;
      started = performance.now();
      await engine.similarTo(listing.id, null, K);
      itemTimes.push(performance.now() - started);
    }
    for (const [name, times] of [
      ['recommendFor (recommendedListings)', userTimes],
      ['similarTo (similarListings)', itemTimes],
    ] as const) {
      const sorted = [...times].sort((a, b) => a - b);
      console.log(
        `${name}: ${sorted.length} requests, p50 ${percentile(sorted, 50).toFixed(1)} ms, p95 ${percentile(sorted, 95).toFixed(1)} ms`,
      );
    }
  } finally {
    await db.$disconnect();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
