import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runDbCli } from '@market/platform/db';
import { startEmbeddedPostgres } from './postgres/embedded-postgres';

/**
 * `npm run db:migrate` and `npm run db:diff` in a checkout: the platform's migration command, with
 * the embedded PostgreSQL when no server is configured. A diff only needs a scratch server to
 * replay migrations on, never the development data.
 */
runDbCli(async (purpose, options) =>
  startEmbeddedPostgres({
    dataDir: purpose === 'diff' ? mkdtempSync(path.join(os.tmpdir(), 'market-diff-pg-')) : options.dataDir,
    databases: options.databases,
    persistent: purpose !== 'diff',
  }),
);
