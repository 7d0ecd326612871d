import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { generateAccessTokenKeys } from '@market/platform';

export interface DevSecrets {
  signingSecret: string;
  jwtPrivateKey: string;
  jwtPublicKey: string;
}

/**
 * Development secrets, made on first start and kept under the data directory (git-ignored, 0600),
 * so tokens survive restarts. Production takes them from the environment instead.
 */
export async function loadOrCreateDevSecrets(dataDir: string): Promise<DevSecrets> {
  const file = path.join(dataDir, 'dev-secrets.json');
  if (existsSync(file)) return JSON.parse(readFileSync(file, 'utf8')) as DevSecrets;
  const keys = await generateAccessTokenKeys();
  const secrets: DevSecrets = {
    signingSecret: randomBytes(32).toString('hex'),
    jwtPrivateKey: keys.privateKeyPem,
    jwtPublicKey: keys.publicKeyPem,
  };
  mkdirSync(dataDir, { recursive: true });
  writeFileSync(file, JSON.stringify(secrets, null, 2), { mode: 0o600 });
  return secrets;
}
