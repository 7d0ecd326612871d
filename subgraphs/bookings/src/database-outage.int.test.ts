import { createLogger } from '@market/platform';
import { callSubgraph, testSecrets } from '@market/platform/testing';
import { createSubgraph, loadEnv } from './subgraph';
import { person } from './testing/harness';

/**
 * A subgraph whose database does not answer reports a retryable outage of its fields, with the code
 * the gateway uses for an unreachable subgraph, instead of an internal error.
 */
describe('bookings with its database unreachable', () => {
  it('answers SUBGRAPH_UNAVAILABLE, retryable, for the fields that need the database', async () => {
    const { signingSecret } = await testSecrets();
    const env = loadEnv({
      NODE_ENV: 'production',
      LOG_LEVEL: 'silent',
      // Nothing listens on port 1: every connection is refused.
      DATABASE_URL: 'postgres://postgres@127.0.0.1:1/nowhere',
      GATEWAY_SIGNING_SECRET: signingSecret,
    });
    const subgraph = await createSubgraph(env, createLogger('bookings', 'silent'), { bus: null });
    const running = await subgraph.listen(0, '127.0.0.1');
    try {
      const res = await callSubgraph(running.url, { query: '{ myStays { id } }' }, { secret: signingSecret, identity: person() });
      expect(res.errors?.[0]?.extensions).toEqual({ code: 'SUBGRAPH_UNAVAILABLE', retryable: true });
      expect(res.errors?.[0]?.path).toEqual(['myStays']);
      expect(res.errors?.[0]?.message).toMatch(/retry shortly/);
    } finally {
      await running.close();
      await subgraph.close();
    }
  });
});
