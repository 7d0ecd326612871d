import path from 'node:path';
import { z } from 'zod';
import { parseEnv, ConfigError } from '../env';
import { SUBGRAPH_NAMES, type SubgraphName } from '../subgraph-names';
import { databaseUrl, ensureDatabaseOf, ensureDatabases } from './databases';
import { applyMigrations, diffMigration } from './migrations';
import { migrationsOf, REPO_ROOT } from './layout';

/**
 * A PostgreSQL server to use when neither POSTGRES_URL nor a domain's URL is set: the development
 * tooling (stack/) starts the embedded one; the production migrate job has none and says what to set.
 */
export type FallbackServer = (
  purpose: 'migrate' | 'diff',
  options: { dataDir: string; databases: string[] },
) => Promise<{ adminUrl: string; stop(): Promise<void> }>;

const cliEnvSchema = z.object({
  POSTGRES_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//)
    .optional(),
  DATA_DIR: z.string().default(path.join(REPO_ROOT, '.data')),
  ACCOUNTS_DATABASE_URL: z.string().optional(),
  LISTINGS_DATABASE_URL: z.string().optional(),
  BOOKINGS_DATABASE_URL: z.string().optional(),
  MESSAGING_DATABASE_URL: z.string().optional(),
  ENGAGEMENT_DATABASE_URL: z.string().optional(),
  INSTANCES_DATABASE_URL: z.string().optional(),
});

const USAGE = `usage:
  npm run db:migrate [-- <domain> ...]      apply pending migrations (all domains by default)
  npm run db:diff -- <domain> <name>         write the next migration of <domain> from prisma/<domain>/schema.prisma
domains: ${SUBGRAPH_NAMES.join(', ')}
Databases: <DOMAIN>_DATABASE_URL, else POSTGRES_URL (database market_<domain>), else the embedded PostgreSQL in DATA_DIR.
migrate creates a database that does not exist yet (the user needs CREATEDB).`;

const paths = migrationsOf;

function isDomain(value: string | undefined): value is SubgraphName {
  return SUBGRAPH_NAMES.includes(value as SubgraphName);
}

/** `migrate` or `diff`, as the usage says; `fallback` supplies a server when no URL is set. */
export async function runDbCommand(argv: string[], fallback?: FallbackServer): Promise<void> {
  const [command, ...rest] = argv;
  const env = parseEnv('db', cliEnvSchema);
  if (command !== 'migrate' && command !== 'diff') {
    console.error(USAGE);
    process.exit(2);
  }
  const domains = command === 'diff' ? rest.slice(0, 1) : rest.length ? rest : [...SUBGRAPH_NAMES];
  for (const d of domains) {
    if (!isDomain(d)) {
      console.error(`"${d}" is not a domain.\n${USAGE}`);
      process.exit(2);
    }
  }
  if (command === 'diff' && (!rest[0] || !rest[1] || !/^[a-z0-9_]+$/.test(rest[1]))) {
    console.error(`db:diff needs a domain and a snake_case migration name.\n${USAGE}`);
    process.exit(2);
  }

  let stop: (() => Promise<void>) | null = null;
  let serverUrl = env.POSTGRES_URL;
  const explicit = (d: SubgraphName) => env[`${d.toUpperCase()}_DATABASE_URL` as keyof typeof env];
  if (!serverUrl && (domains as SubgraphName[]).some((d) => !explicit(d))) {
    if (!fallback) {
      throw new ConfigError('db', [
        'POSTGRES_URL: set it (or <DOMAIN>_DATABASE_URL for every domain) to the server to migrate; `npm run db:migrate` in a checkout uses the embedded PostgreSQL instead',
      ]);
    }
    const pg = await fallback(command, {
      dataDir: path.join(env.DATA_DIR, 'postgres'),
      databases: (domains as SubgraphName[]).map((d) => `market_${d}`),
    });
    serverUrl = pg.adminUrl;
    stop = pg.stop;
  }
  try {
    for (const [i, domain] of (domains as SubgraphName[]).entries()) {
      let url = explicit(domain);
      if (!url) {
        await ensureDatabases(serverUrl as string, [`market_${domain}`]);
        url = databaseUrl(serverUrl as string, `market_${domain}`);
      } else if (command === 'migrate' && (await ensureDatabaseOf(url))) {
        console.log(`  ${domain}: created database ${new URL(url).pathname.slice(1)}`);
      }
      if (command === 'migrate') {
        const { applied } = await applyMigrations({
          databaseUrl: url,
          ...paths(domain),
          log: (msg) => console.log(`  ${domain}: ${msg}`),
        });
        console.log(`[${i + 1}/${domains.length}] ${domain}: ${applied.length ? `applied ${applied.join(', ')}` : 'up to date'}`);
      } else {
        const result = await diffMigration({ databaseUrl: url, ...paths(domain), name: rest[1] as string });
        console.log(
          result.path
            ? `wrote ${path.relative(process.cwd(), result.path)}`
            : `${domain}: the schema matches the migrations; nothing to write`,
        );
      }
    }
  } finally {
    await stop?.();
  }
}

/** Runs the command and exits: 0 when it worked, 1 with a message saying what to do otherwise. */
export function runDbCli(fallback?: FallbackServer): void {
  runDbCommand(process.argv.slice(2), fallback).catch((err: unknown) => {
    console.error(err instanceof ConfigError ? err.message : err instanceof Error ? `db: ${err.message}` : err);
    process.exit(1);
  });
}

if (require.main === module) runDbCli();
