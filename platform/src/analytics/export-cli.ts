import { ConfigError, parseEnv } from '../env';
import { createLogger } from '../logger';
import { databaseUrl } from '../db/databases';
import { SUBGRAPH_NAMES, type SubgraphName } from '../subgraph-names';
import { backfillFromOutboxes, type BackfillSource } from './backfill';
import { createEventExporter, prepareAnalyticsDatabase } from './exporter';
import { analyticsEnvSchema, backfillEnvSchema } from './env';
import { DirectorySink } from './sink';

export const EXPORT_USAGE = `usage: npm run export:events -- --since <YYYY-MM-DD | ISO instant> [--domains accounts,bookings,...]
Exports every event in the outboxes that occurred at or after --since to ANALYTICS_EXPORT_DIR, through
the export's inbox: events already exported (by the running export or an earlier backfill) are skipped,
so it is safe to run again, and beside the running export.
Environment: ANALYTICS_DATABASE_URL, ANALYTICS_EXPORT_DIR (required); each outbox at <DOMAIN>_DATABASE_URL,
else database market_<domain> on POSTGRES_URL.`;

export interface ExportArgs {
  since: Date;
  domains: SubgraphName[];
}

/** Parses the command line; a string is the problem to print with the usage. */
export function parseExportArgs(argv: readonly string[]): ExportArgs | string {
  let since: Date | undefined;
  let domains: SubgraphName[] = [...SUBGRAPH_NAMES];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const value = argv[i + 1];
    if (arg === '--since') {
      if (!value) return '--since needs a date';
      // A bare date is midnight UTC, as the export's day partitions are.
      const parsed = new Date(/^\d{4}-\d{2}-\d{2}$/.test(value) ? `${value}T00:00:00Z` : value);
      if (Number.isNaN(parsed.getTime())) return `--since ${value}: not a date (YYYY-MM-DD or an ISO-8601 instant)`;
      since = parsed;
      i++;
    } else if (arg === '--domains') {
      if (!value) return '--domains needs a comma-separated list';
      const listed = value
        .split(',')
        .map((d) => d.trim())
        .filter(Boolean);
      const unknown = listed.filter((d) => !SUBGRAPH_NAMES.includes(d as SubgraphName));
      if (unknown.length || listed.length === 0)
        return `--domains: ${unknown.join(', ') || '(empty)'} is not one of ${SUBGRAPH_NAMES.join(', ')}`;
      domains = listed as SubgraphName[];
      i++;
    } else {
      return `unknown argument ${String(arg)}`;
    }
  }
  if (!since) return '--since is required';
  return { since, domains };
}

async function main(): Promise<number> {
  const args = parseExportArgs(process.argv.slice(2));
  if (typeof args === 'string') {
    console.error(`${args}\n${EXPORT_USAGE}`);
    return 2;
  }
  const env = parseEnv('export:events', analyticsEnvSchema.extend(backfillEnvSchema.shape));
  const sources: BackfillSource[] = args.domains.map((name) => {
    const explicit = env[`${name.toUpperCase()}_DATABASE_URL` as keyof typeof env] as string | undefined;
    if (explicit) return { name, databaseUrl: explicit };
    if (!env.POSTGRES_URL)
      throw new ConfigError('export:events', [`${name.toUpperCase()}_DATABASE_URL: set it, or POSTGRES_URL (database market_${name})`]);
    return { name, databaseUrl: databaseUrl(env.POSTGRES_URL, `market_${name}`) };
  });
  const logger = createLogger('analytics', env.LOG_LEVEL === 'info' ? 'warn' : env.LOG_LEVEL);
  await prepareAnalyticsDatabase(env.ANALYTICS_DATABASE_URL);
  const exporter = createEventExporter({
    databaseUrl: env.ANALYTICS_DATABASE_URL,
    sink: new DirectorySink(env.ANALYTICS_EXPORT_DIR),
    logger,
    maxBatchEvents: env.ANALYTICS_BATCH_MAX_EVENTS,
  });
  const started = Date.now();
  try {
    const report = await backfillFromOutboxes({ sources, since: args.since, exporter, progress: (line) => console.log(line) });
    const staged = report.sources.reduce((n, s) => n + s.staged, 0);
    console.log(
      `${staged} event(s) new to the export, ${report.written.files.length} file(s) under ${env.ANALYTICS_EXPORT_DIR} in ${Date.now() - started} ms`,
    );
  } finally {
    await exporter.close();
  }
  return 0;
}

if (require.main === module) {
  main().then(
    (code) => process.exit(code),
    (err: unknown) => {
      console.error(err instanceof ConfigError ? err.message : err);
      process.exit(1);
    },
  );
}
