import { z } from 'zod';
import { parseEnv, port, subgraphEnvShape } from '@market/platform';

export const accountsEnvSchema = z.object({
  ...subgraphEnvShape,
  PORT: port(4001),
  JWT_PRIVATE_KEY: z
    .string({ error: 'is required: the Ed25519 private key (PEM, PKCS#8) that signs access tokens' })
    .includes('PRIVATE KEY', { error: 'must be a PEM private key (-----BEGIN PRIVATE KEY-----)' }),
  ACCESS_TOKEN_TTL_SECONDS: z.coerce.number().int().min(30).max(900).default(900),
  SESSION_TTL_DAYS: z.coerce.number().int().min(1).max(365).default(30),
});

export type AccountsEnv = z.infer<typeof accountsEnvSchema>;

export function loadAccountsEnv(source?: Record<string, string | undefined>): AccountsEnv {
  return parseEnv('accounts', accountsEnvSchema, source);
}
