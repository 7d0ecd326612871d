import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { Client } from 'pg';
import { testDatabaseUrl } from '../testing';
import { databaseUrl, dropDatabases, ensureDatabaseOf } from './databases';

const run = promisify(execFile);
const REPO_ROOT = path.resolve(__dirname, '..', '..', '..');

/** `npm run db:migrate` as docker-compose's migrate job runs it: only `<DOMAIN>_DATABASE_URL`, on a server without that database. */
describe('db:migrate with <DOMAIN>_DATABASE_URL', () => {
  const serverUrl = databaseUrl(testDatabaseUrl('accounts'), 'postgres');
  const database = `${new URL(testDatabaseUrl('accounts')).pathname.slice(1)}_fresh`;
  const url = databaseUrl(serverUrl, database);

  beforeAll(() => dropDatabases(serverUrl, [database]));
  afterAll(() => dropDatabases(serverUrl, [database]));

  const migrate = () =>
    run(process.execPath, ['-r', '@swc-node/register', path.join(REPO_ROOT, 'platform/src/db/cli.ts'), 'migrate', 'accounts'], {
      cwd: REPO_ROOT,
      env: { PATH: process.env.PATH, ACCOUNTS_DATABASE_URL: url },
    });

  it('creates the missing database, migrates it, and leaves it alone the second time', async () => {
    const first = await migrate();
    expect(first.stdout).toContain(`accounts: created database ${database}`);
    expect(first.stdout).toMatch(/\[1\/1\] accounts: applied /);

    const client = new Client({ connectionString: url });
    await client.connect();
    try {
      const { rows } = await client.query<{ n: string }>('SELECT count(*) AS n FROM _prisma_migrations WHERE finished_at IS NOT NULL');
      expect(Number(rows[0]?.n)).toBeGreaterThan(0);
    } finally {
      await client.end();
    }

    const second = await migrate();
    expect(second.stdout).not.toContain('created database');
    expect(second.stdout).toContain('[1/1] accounts: up to date');
  });

  it('ensureDatabaseOf refuses a URL without a database name or with an unsafe one', async () => {
    await expect(ensureDatabaseOf(serverUrl.replace(/\/postgres$/, '/'))).rejects.toThrow(/names no database/);
    await expect(ensureDatabaseOf(databaseUrl(serverUrl, 'postgres').replace(/\/postgres$/, '/Bad-Name'))).rejects.toThrow(
      /not a safe database name/,
    );
  });
});
