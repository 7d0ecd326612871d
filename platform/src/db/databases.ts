import { Client } from 'pg';

const NAME = /^[a-z_][a-z0-9_]{0,62}$/;

function checkName(name: string): string {
  if (!NAME.test(name)) throw new Error(`"${name}" is not a safe database name (lower-case letters, digits, _)`);
  return name;
}

/** The URL of another database on the same server as `serverUrl`. */
export function databaseUrl(serverUrl: string, database: string): string {
  const url = new URL(serverUrl);
  url.pathname = `/${checkName(database)}`;
  return url.toString();
}

/** Creates each database that does not exist yet; returns the ones it created. */
export async function ensureDatabases(serverUrl: string, names: readonly string[]): Promise<string[]> {
  const client = new Client({ connectionString: serverUrl });
  await client.connect();
  try {
    const created: string[] = [];
    for (const name of names) {
      const { rowCount } = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [checkName(name)]);
      if (rowCount) continue;
      try {
        await client.query(`CREATE DATABASE "${name}"`);
        created.push(name);
      } catch (err) {
        // Another process created it between our check and our CREATE.
        if ((err as { code?: string }).code !== '42P04') throw err;
      }
    }
    return created;
  } finally {
    await client.end();
  }
}

/**
 * Creates the database a full URL names (`postgres://.../accounts`) when it does not exist yet, by
 * connecting to the same server's maintenance database (`postgres`, else `template1`) as the same
 * user. Lets `db:migrate` boot a fresh server from `<DOMAIN>_DATABASE_URL` alone (docker-compose on
 * an empty volume). Returns whether it created the database.
 */
export async function ensureDatabaseOf(url: string): Promise<boolean> {
  const name = decodeURIComponent(new URL(url).pathname.replace(/^\//, ''));
  if (!name) throw new Error(`${redact(url)} names no database`);
  checkName(name);
  let lastError: unknown;
  for (const maintenance of ['postgres', 'template1']) {
    try {
      return (await ensureDatabases(databaseUrl(url, maintenance), [name])).length > 0;
    } catch (err) {
      // 3D000: no such maintenance database on this server; try the next one.
      if ((err as { code?: string }).code !== '3D000') throw err;
      lastError = err;
    }
  }
  throw lastError;
}

/** A URL without its password, for messages. */
function redact(url: string): string {
  const parsed = new URL(url);
  if (parsed.password) parsed.password = '***';
  return parsed.toString();
}

export async function dropDatabases(serverUrl: string, names: readonly string[]): Promise<void> {
  const client = new Client({ connectionString: serverUrl });
  await client.connect();
  try {
    for (const name of names) await client.query(`DROP DATABASE IF EXISTS "${checkName(name)}" WITH (FORCE)`);
  } finally {
    await client.end();
  }
}
