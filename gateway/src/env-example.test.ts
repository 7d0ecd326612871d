import path from 'node:path';
import { checkEnvExample, testSecrets } from '@market/platform/testing';
import { gatewayEnvSchema } from './env';

it('.env.example lists every variable the gateway reads, and starts it once the secrets are filled in', async () => {
  const secrets = await testSecrets();
  const required = { GATEWAY_SIGNING_SECRET: secrets.signingSecret, JWT_PUBLIC_KEY: secrets.publicKeyPem };
  const check = checkEnvExample(gatewayEnvSchema, path.join(__dirname, '..', '.env.example'), required);
  expect({ missing: check.missing, unknown: check.unknown }).toEqual({ missing: [], unknown: [] });
  // Empty routing URLs and supergraph path mean "use the supergraph's", not an invalid value.
  expect(check.parsed()).toMatchObject({ ACCOUNTS_URL: undefined, SUPERGRAPH_PATH: undefined, REDIS_URL: undefined });
});
