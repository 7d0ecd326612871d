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

export async function dropDatabases(serverUrl: string, names: readonly string[]): Promise<void> {
  const client = new Client({ connectionString: serverUrl });
  await client.connect();
  try {
    for (const name of names) await client.query(`DROP DATABASE IF EXISTS "${checkName(name)}" WITH (FORCE)`);
  } finally {
    await client.end();
  }
}
