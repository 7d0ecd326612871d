import { existsSync, mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { SUBGRAPH_NAMES } from '@market/platform';
import { applyMigrations, databaseUrl, ensureDatabases, migrationsOf } from '@market/platform/db';
import { startEmbeddedPostgres } from '../postgres';

export interface TestRun {
  serverUrl: string;
  databases: string[];
  external: boolean;
  stop?: () => Promise<void>;
}

declare global {
  var __MARKET_TEST_RUN__: TestRun | undefined;
}

/**
 * Prepares one fresh database per domain for this test run, migrated like production: on the
 * PostgreSQL at POSTGRES_URL when given, otherwise on an embedded PostgreSQL in a temporary directory.
 */
export default async function globalSetup(): Promise<void> {
  const started = Date.now();
  const external = Boolean(process.env['POSTGRES_URL']);
  let serverUrl = process.env['POSTGRES_URL'] ?? '';
  let stop: (() => Promise<void>) | undefined;
  if (!external) {
    const pg = await startEmbeddedPostgres({
      dataDir: mkdtempSync(path.join(os.tmpdir(), 'market-test-pg-')),
      databases: [],
      persistent: false,
    });
    serverUrl = pg.adminUrl;
    stop = pg.stop;
  }
  const runId = `${Date.now().toString(36)}_${process.pid}`;
  const databases = SUBGRAPH_NAMES.map((d) => `test_${runId}_${d}`);
  await ensureDatabases(serverUrl, databases);
  await Promise.all(
    SUBGRAPH_NAMES.map(async (domain, i) => {
      const url = databaseUrl(serverUrl, databases[i] as string);
      const layout = migrationsOf(domain);
      if (existsSync(layout.migrationsDir)) await applyMigrations({ databaseUrl: url, ...layout });
      process.env[`TEST_DATABASE_URL_${domain.toUpperCase()}`] = url;
    }),
  );
  globalThis.__MARKET_TEST_RUN__ = { serverUrl, databases, external, ...(stop ? { stop } : {}) };
  process.stderr.write(
    `\n[test setup] ${databases.length} databases migrated on ${external ? 'POSTGRES_URL' : 'embedded PostgreSQL'} in ${Date.now() - started} ms\n`,
  );
}
