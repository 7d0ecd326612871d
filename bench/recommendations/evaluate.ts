import { RecommendationEngine } from '../../subgraphs/listings/src/recommendations/engine';
import {
  CF_ONLY,
  CONTENT_ONLY,
  POPULARITY_ONLY,
  USER_BLEND,
  type BlendWeights,
} from '../../subgraphs/listings/src/recommendations/rules/scoring';
import { generateLog } from './generator';
import { MemoryRecommendationStore } from './memory-store';

/**
 * `npm run recommendations:evaluate`: replays a seeded interaction log (generator.ts documents the
 * model of user preferences) through the service's own learning rules and ranking
 * (RecommendationEngine over an in-memory store), with a time-based split: everything before the
 * cut-off trains, and each user's listings first touched after it are what they should be shown.
 * Prints hit-rate@10 and NDCG@10 for popularity in the user's area, content only, CF only and the
 * blend the service uses. Options: --seed N --listings N --users N --days N --train 0.8 --blend cf,content,popularity.
 */
function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  const value = i >= 0 ? Number(process.argv[i + 1]) : fallback;
  if (!Number.isFinite(value)) throw new Error(`--${name} must be a number`);
  return value;
}

const K = 10;

async function main(): Promise<void> {
  const options = { seed: arg('seed', 42), listings: arg('listings', 3000), users: arg('users', 2500), days: arg('days', 180) };
  const trainShare = arg('train', 0.8);
  const started = Date.now();
  const log = generateLog(options);
  const cutoff = new Date(log.start.getTime() + (log.end.getTime() - log.start.getTime()) * trainShare);
  // Listings that appear after the cut-off do not exist yet when recommending.
  const store = new MemoryRecommendationStore(log.listings.map(({ createdAt, ...f }) => ({ ...f, active: createdAt <= cutoff })));
  const train = log.interactions.filter((i) => i.at < cutoff);
  const test = log.interactions.filter((i) => i.at >= cutoff);
  for (const i of train) await store.record(i.userId, i.listingId, i.kind, i.at);

  const seen = new Map<string, Set<string>>();
  for (const i of train) {
    const s = seen.get(i.userId) ?? new Set<string>();
    s.add(i.listingId);
    seen.set(i.userId, s);
  }
  const relevant = new Map<string, Set<string>>();
  const existing = new Set(log.listings.filter((l) => l.createdAt <= cutoff).map((l) => l.id));
  for (const i of test) {
    if (!seen.has(i.userId) || seen.get(i.userId)!.has(i.listingId) || !existing.has(i.listingId)) continue;
    const r = relevant.get(i.userId) ?? new Set<string>();
    r.add(i.listingId);
    relevant.set(i.userId, r);
  }

  const engine = new RecommendationEngine(store);
  const models: [string, BlendWeights][] = [
    ["popularity (in the user's area)", POPULARITY_ONLY],
    ['content only', CONTENT_ONLY],
    ['CF only (item-item)', CF_ONLY],
    ['blend (the service)', USER_BLEND],
  ];
  // --blend cf,content,popularity: try other weights (what RESULTS.md's choice was made with).
  const tried = process.argv.indexOf('--blend');
  if (tried >= 0) {
    const [cf, content, popularity] = (process.argv[tried + 1] ?? '').split(',').map(Number);
    models.splice(0, models.length, [
      `blend ${cf},${content},${popularity}`,
      { cf: cf ?? 0, content: content ?? 0, popularity: popularity ?? 0 },
    ]);
  }
  console.log(
    `seed ${options.seed}: ${log.listings.length} listings, ${options.users} users, ${log.interactions.length} interactions over ${options.days} days; ` +
      `train ${train.length} before ${cutoff.toISOString().slice(0, 10)}, test ${test.length}; ${relevant.size} users evaluated`,
  );
  console.log('| model | hit-rate@10 | NDCG@10 |');
  console.log('| --- | --- | --- |');
  for (const [name, weights] of models) {
    let hits = 0;
    let ndcg = 0;
    for (const [userId, wanted] of relevant) {
      const shown = await engine.recommendFor(userId, { first: K, weights });
      let dcg = 0;
      shown.forEach((s, rank) => {
        if (wanted.has(s.id)) dcg += 1 / Math.log2(rank + 2);
      });
      let ideal = 0;
      for (let rank = 0; rank < Math.min(K, wanted.size); rank++) ideal += 1 / Math.log2(rank + 2);
      if (dcg > 0) hits++;
      ndcg += dcg / ideal;
    }
    console.log(`| ${name} | ${(hits / relevant.size).toFixed(3)} | ${(ndcg / relevant.size).toFixed(3)} |`);
  }
  console.log(`(${((Date.now() - started) / 1000).toFixed(1)} s)`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
