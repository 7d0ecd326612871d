/**
 * Engagement benchmark, through the gateway on a real PostgreSQL:
 *   1. `feed(first: 20)` with each post's comment count, reaction counts, view count and first
 *      three comments (with their reply counts), read by signed-in users with connections;
 *   2. `recordView` on the hot path: many viewers (signed-in and anonymous devices) viewing posts,
 *      each view sent twice (the second is a repeat the same day and must not count).
 *
 *   node -r @swc-node/register bench/engagement/run.ts
 *
 * It creates and migrates its own databases (bench_<run>_<domain>) on BENCH_POSTGRES_URL
 * (default postgres://postgres@127.0.0.1:5432/postgres), starts the six subgraphs and the gateway in
 * this process (bench/harness.ts, in-process event bus), seeds posts, comments, reactions and
 * connections through the gateway and the bus, and drops the databases at the end. Knobs:
 * BENCH_POSTS, BENCH_FEED_REQUESTS, BENCH_VIEWS, BENCH_CONCURRENCY, BENCH_POOL_SIZE,
 * BENCH_VIEW_BATCH_WINDOW_MS (engagement's VIEW_BATCH_WINDOW_MS; 0 writes each view on its own).
 */
import '../sources';
import { randomUUID } from 'node:crypto';
import os from 'node:os';
import { Client as PgClient } from 'pg';
import type { Identity, Role } from '@market/platform';
import { load, loadAverage, log, percentile, SERVER_URL, setting as env, withBenchStack, type GraphQLResult } from '../harness';

const POSTS = env('BENCH_POSTS', 200);
const FEED_REQUESTS = env('BENCH_FEED_REQUESTS', 200);
const VIEWS = env('BENCH_VIEWS', 2000);
const CONCURRENCY = env('BENCH_CONCURRENCY', 16);
// Six subgraphs × pool must fit PostgreSQL's max_connections (100 by default) beside anything else running.
const POOL_SIZE = env('BENCH_POOL_SIZE', 5);
const VIEW_BATCH_WINDOW_MS = env('BENCH_VIEW_BATCH_WINDOW_MS', 5);

const FEED = `query($after: String) { feed(first: 20, after: $after) { edges { node { id commentCount viewCount
  reactionCounts { kind count } comments(first: 3) { edges { node { body replyCount } } } } } pageInfo { hasNextPage endCursor } } }`;
const VIEW = `mutation($id: ID!, $d: String) { recordView(targetType: POST, targetId: $id, deviceId: $d) }`;

async function main() {
  const loadAtStart = loadAverage();
  const extraEnv = { DATABASE_POOL_SIZE: String(POOL_SIZE), VIEW_BATCH_WINDOW_MS: String(VIEW_BATCH_WINDOW_MS) };
  await withBenchStack({ extraEnv }, async (bench) => {
    const { bus, runId, urls } = bench;
    // Tokens signed with the stack's key, as accounts would issue them: the benchmark measures
    // engagement, not sign-up. Each write uses a fresh user, so per-user write limits never bind.
    const identityOf = (role: Role = 'BUYER'): Identity => ({ userId: randomUUID(), role, sessionId: randomUUID() });
    const tokenOf = bench.sign;
    // A retryable answer (SUBGRAPH_UNAVAILABLE: the database did not answer in time, which happens on
    // an overloaded shared machine) is retried as a client would, and counted in the results.
    let retries = 0;
    const request = async (query: string, variables: Record<string, unknown>, token: string | null): Promise<GraphQLResult> => {
      for (let attempt = 0; ; attempt++) {
        const result = await bench.request(query, variables, token);
        if (attempt < 5 && result.errors?.some((e) => e.extensions?.['retryable'] === true)) {
          retries++;
          await new Promise((r) => setTimeout(r, 100 * 2 ** attempt));
          continue;
        }
        return result;
      }
    };
    const must = (r: GraphQLResult) => {
      if (r.errors) throw new Error(JSON.stringify(r.errors));
      return r.data!;
    };

    // Seed: POSTS posts by POSTS/5 authors, each with 2 comments (one a reply) and 3 reactions.
    const seeded = Date.now();
    const authors = Array.from({ length: Math.ceil(POSTS / 5) }, () => identityOf());
    const postIds: string[] = [];
    await load(
      Array.from({ length: POSTS }, (_, i) => async () => {
        const author = authors[i % authors.length]!;
        const post = must(
          await request(
            `mutation($b: String!) { createPost(input: { body: $b }) { ... on Post { id } } }`,
            { b: `Post ${i}: a flat with a view of the park.` },
            await tokenOf(author),
          ),
        );
        const id: string = post['createPost'].id;
        postIds.push(id);
        const top = must(
          await request(
            `mutation($p: ID!) { addComment(postId: $p, body: "Is it still available?") { ... on Comment { id } } }`,
            { p: id },
            await tokenOf(identityOf()),
          ),
        );
        must(
          await request(
            `mutation($p: ID!, $r: ID) { addComment(postId: $p, body: "Yes, until June.", replyTo: $r) { ... on Comment { id } } }`,
            { p: id, r: top['addComment'].id },
            await tokenOf(author),
          ),
        );
        for (const kind of ['LIKE', 'LOVE', 'WOW'])
          must(
            await request(
              `mutation($p: ID!, $k: ReactionKind!) { react(postId: $p, kind: $k) { id } }`,
              { p: id, k: kind },
              await tokenOf(identityOf()),
            ),
          );
      }),
      CONCURRENCY,
    );
    // Readers, each connected to 5 authors and following 5 more (accounts' events, as accounts publishes them).
    const readers = Array.from({ length: 50 }, () => identityOf());
    const events = readers.flatMap((reader, r) =>
      Array.from({ length: 10 }, (_, k) => {
        const other = authors[(r * 7 + k) % authors.length]!.userId;
        return k < 5
          ? {
              id: randomUUID(),
              type: 'accounts.connection.accepted',
              version: 1,
              aggregateId: randomUUID(),
              occurredAt: new Date().toISOString(),
              payload: { connectionId: randomUUID(), requesterId: reader.userId, addresseeId: other },
            }
          : {
              id: randomUUID(),
              type: 'accounts.user.followed',
              version: 1,
              aggregateId: reader.userId,
              occurredAt: new Date().toISOString(),
              payload: { followerId: reader.userId, followeeId: other },
            };
      }),
    );
    await bus.publish(events as never);
    await bus.drain();
    log(
      `seeded ${POSTS} posts, ${POSTS * 2} comments, ${POSTS * 3} reactions, ${events.length} social edges in ${((Date.now() - seeded) / 1000).toFixed(1)} s`,
    );

    // 1. feed: each request reads the first page, every fourth also the second page.
    const readerTokens = await Promise.all(readers.map(tokenOf));
    const feed = await load(
      Array.from({ length: FEED_REQUESTS }, (_, i) => async () => {
        const token = readerTokens[i % readerTokens.length]!;
        const first = must(await request(FEED, {}, token))['feed'];
        if (first.edges.length !== 20) throw new Error(`feed page of ${first.edges.length}`);
        if (i % 4 === 0) must(await request(FEED, { after: first.pageInfo.endCursor }, token));
        return first.edges.length;
      }),
      CONCURRENCY,
    );

    // 2. recordView: VIEWS views over the posts, half by signed-in users, half by anonymous
    // devices, each sent twice; the unique (viewer, post) pairs are what must be counted.
    const viewers = await Promise.all(
      Array.from({ length: 200 }, async (_, i) =>
        i % 2 === 0 ? { token: await tokenOf(identityOf()), device: null } : { token: null, device: `bench-device-${i}-${runId}` },
      ),
    );
    const pairs = Array.from({ length: VIEWS / 2 }, (_, i) => ({
      viewer: viewers[i % viewers.length]!,
      postId: postIds[(i + Math.floor(i / viewers.length) * 7) % postIds.length]!,
    }));
    const unique = new Set(pairs.map((p) => `${p.viewer.token ?? p.viewer.device}|${p.postId}`)).size;
    const views = await load(
      [...pairs, ...pairs].map(
        (p) => async () => must(await request(VIEW, { id: p.postId, d: p.viewer.device }, p.viewer.token))['recordView'] as boolean,
      ),
      CONCURRENCY * 2,
    );
    const counted = views.results.filter(Boolean).length;
    const db = new PgClient({ connectionString: urls.engagement });
    await db.connect();
    const stored = Number(
      (await db.query<{ n: string }>(`SELECT sum(value) AS n FROM engagement_counters WHERE metric = 'views'`)).rows[0]!.n,
    );
    await db.end();

    const fmt = (n: number, digits = 1) => n.toFixed(digits);
    const lines = [
      `Engagement benchmark (${new Date().toISOString()}, Node ${process.version}, PostgreSQL at ${new URL(SERVER_URL).host}, pool ${POOL_SIZE}/subgraph, VIEW_BATCH_WINDOW_MS=${VIEW_BATCH_WINDOW_MS})`,
      '',
      `Machine: ${os.cpus().length} CPUs, load average ${loadAtStart} at start, ${loadAverage()} at the end.`,
      '',
      '| operation | requests | clients | seconds | requests/s | p50 ms | p95 ms | p99 ms |',
      '|---|---:|---:|---:|---:|---:|---:|---:|',
      `| feed(first: 20) with counts, 3 comments each (+ page 2 for 1 in 4) | ${FEED_REQUESTS} | ${CONCURRENCY} | ${fmt(feed.seconds, 2)} | ${fmt(FEED_REQUESTS / feed.seconds)} | ${fmt(percentile(feed.ms, 50))} | ${fmt(percentile(feed.ms, 95))} | ${fmt(percentile(feed.ms, 99))} |`,
      `| recordView (each view twice) | ${views.results.length} | ${CONCURRENCY * 2} | ${fmt(views.seconds, 2)} | ${fmt(views.results.length / views.seconds)} | ${fmt(percentile(views.ms, 50))} | ${fmt(percentile(views.ms, 95))} | ${fmt(percentile(views.ms, 99))} |`,
      '',
      `Retried answers (SUBGRAPH_UNAVAILABLE, retryable), seeding included: ${retries}.`,
      `Views: ${unique} unique (viewer, post) pairs sent twice each; answered "new view" ${counted} times; views total stored ${stored}: ${counted === unique && stored === unique ? 'exact' : 'MISMATCH'}.`,
    ];
    console.log(lines.join('\n'));
    if (counted !== unique || stored !== unique) process.exitCode = 1;
  });
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
