import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { z } from 'zod';
import { parseEnv, ConfigError } from '../env';
import { SUBGRAPH_NAMES, type SubgraphName } from '../subgraph-names';
import { databaseUrl, ensureDatabaseOf, ensureDatabases } from './databases';
import { applyMigrations, diffMigration } from './migrations';
import { startEmbeddedPostgres } from './embedded-postgres';

const REPO_ROOT = path.resolve(__dirname, '..', '..', '..');

const cliEnvSchema = z.object({
  POSTGRES_URL: z.string().regex(/^postgres(ql)?:\/\//).optional(),
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

function paths(domain: SubgraphName) {
  return {
    migrationsDir: path.join(REPO_ROOT, 'prisma', domain, 'migrations'),
    schemaPath: path.join(REPO_ROOT, 'prisma', domain, 'schema.prisma'),
  };
}

function isDomain(value: string | undefined): value is SubgraphName {
  return SUBGRAPH_NAMES.includes(value as SubgraphName);
}

async function main(argv: string[]) {
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
    // A diff only needs a scratch server to replay migrations on, never the development data.
    const scratch = command === 'diff';
    const pg = await startEmbeddedPostgres({
      dataDir: scratch ? mkdtempSync(path.join(os.tmpdir(), 'market-diff-pg-')) : path.join(env.DATA_DIR, 'postgres'),
      databases: (domains as SubgraphName[]).map((d) => `market_${d}`),
      persistent: !scratch,
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
        console.log(result.path ? `wrote ${path.relative(process.cwd(), result.path)}` : `${domain}: the schema matches the migrations; nothing to write`);
      }
    }
  } finally {
    await stop?.();
  }
}

main(process.argv.slice(2)).catch((err: unknown) => {
  console.error(err instanceof ConfigError ? err.message : err instanceof Error ? `db: ${err.message}` : err);
  process.exit(1);
});
