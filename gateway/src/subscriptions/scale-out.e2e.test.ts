import { createLogger, createRedisServices, type RedisServices } from '@market/platform';
import { unique } from '@market/platform/testing';
import { collect, eventually, startFakeGraph } from './testing/fake-graph';

const REDIS_URL = process.env['REDIS_URL'];
const describeRedis = REDIS_URL ? describe : describe.skip;
if (!REDIS_URL)
  console.warn('[scale-out.e2e.test] REDIS_URL is not set: skipping subscriptions over Redis. Run with REDIS_URL=redis://127.0.0.1:6379.');

const REVIEW_ADDED = `subscription($productId: ID!) { reviewAdded(productId: $productId) { body author { name } } }`;
const ADD_REVIEW = `mutation($productId: ID!, $body: String!) { addReview(productId: $productId, body: $body) { id } }`;

describeRedis('subscriptions scaled out over Redis', () => {
  it('two gateways and two replicas, each replica with its own Redis connections: every subscriber gets every event', async () => {
    const channelPrefix = `${unique('subs')}:`;
    const redis: RedisServices[] = [];
    const graph = await startFakeGraph({
      reviewsReplicas: 2,
      pubsubFor: (replica) => {
        const services = createRedisServices({
          redisUrl: REDIS_URL,
          logger: createLogger(`reviews-${replica}`, 'silent'),
          keyPrefix: channelPrefix,
          channelPrefix,
        });
        redis.push(services);
        return services.pubsub;
      },
    });
    try {
      const [first, second] = [await graph.startGateway({ reviewsReplica: 0 }), await graph.startGateway({ reviewsReplica: 1 })];
      const alice = await graph.token({ userId: 'alice' });
      const productId = unique('product');
      const subs = [
        collect(first.client({ token: alice }), REVIEW_ADDED, { productId }),
        collect(second.client({ token: alice }), REVIEW_ADDED, { productId }),
      ];
      await eventually(() => graph.reviews.every((r) => r.subscriptions!.stats().subscriptions === 1));
      // Each replica's subscriber connection confirms its SUBSCRIBE before the resolver returns.
      await first.request(ADD_REVIEW, { productId, body: 'from replica 0' }, alice);
      await second.request(ADD_REVIEW, { productId, body: 'from replica 1' }, alice);
      for (const sub of subs) {
        const events = await sub.waitFor(2);
        expect(events.map((e) => e.data.reviewAdded.body).sort()).toEqual(['from replica 0', 'from replica 1']);
        expect(events[0]!.data.reviewAdded.author).toEqual({ name: 'User alice' });
      }
    } finally {
      await graph.stop();
      await Promise.all(redis.map((r) => r.close()));
    }
  });
});
