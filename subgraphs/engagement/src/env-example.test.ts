import path from 'node:path';
import { checkEnvExample, testSecrets } from '@market/platform/testing';
import { engagementEnvSchema } from './env';

it('.env.example lists every variable engagement reads, and starts it once the secrets are filled in', async () => {
  const required = { GATEWAY_SIGNING_SECRET: (await testSecrets()).signingSecret };
  const check = checkEnvExample(engagementEnvSchema, path.join(__dirname, '..', '.env.example'), required);
  expect({ missing: check.missing, unknown: check.unknown }).toEqual({ missing: [], unknown: [] });
  expect(check.parsed()).toMatchObject({ NODE_ENV: 'development', KAFKA_BROKERS: undefined, REDIS_URL: undefined });
});
