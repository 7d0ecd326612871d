import path from 'node:path';
import { applyMigrations, databaseUrl, dropDatabases, ensureDatabases } from '@market/platform/db';
import { testDatabaseUrl } from '@market/platform/testing';

/**
 * An accounts database of one test file's own, migrated like the shared one, beside it on the test
 * run's server. For tests that act on every user (republishing every user) or hold table locks,
 * which on the shared database would reach into suites running in parallel.
 */
export async function privateAccountsDatabase(label: string): Promise<{ url: string; drop(): Promise<void> }> {
  const shared = new URL(testDatabaseUrl('accounts'));
  const server = new URL(shared);
  server.pathname = '/postgres';
  const name = `${shared.pathname.slice(1)}_${label}`;
  const url = databaseUrl(server.toString(), name);
  await ensureDatabases(server.toString(), [name]);
  const dir = path.resolve(__dirname, '..', '..', '..', '..', 'prisma', 'accounts');
  await applyMigrations({ databaseUrl: url, migrationsDir: path.join(dir, 'migrations'), schemaPath: path.join(dir, 'schema.prisma') });
  return { url, drop: () => dropDatabases(server.toString(), [name]) };
}
