/**
 * `npm run reindex`: rebuilds the listings search index from the listings database, with progress
 * on stderr. Elasticsearch when ELASTICSEARCH_URL is set (a new index, then an atomic alias switch),
 * otherwise the PostgreSQL `listing_search` table. Searches keep answering throughout.
 */
import { z } from 'zod';
import { ConfigError, createLogger, logLevel, parseEnv, postgresUrl } from '@market/platform';
import { progressPrinter } from '../cli-progress';
import { createPrisma } from '../db';
import { listingsEnvSchema } from '../env';
import { createListingSearch } from './create-search';
import { reindexListings } from './indexer';

const reindexEnvSchema = z
  .object({
    ...listingsEnvSchema.pick({ ELASTICSEARCH_URL: true, ELASTICSEARCH_INDEX_PREFIX: true }).shape,
    /** The listings database; LISTINGS_DATABASE_URL (as for `npm run db:migrate`) wins over DATABASE_URL. */
    LISTINGS_DATABASE_URL: postgresUrl.optional(),
    DATABASE_URL: postgresUrl.optional(),
    REINDEX_BATCH_SIZE: z.coerce.number().int().min(1).max(10_000).default(500),
    LOG_LEVEL: logLevel.default('warn'),
  })
  .transform(({ LISTINGS_DATABASE_URL, DATABASE_URL, ...rest }) => ({ ...rest, databaseUrl: LISTINGS_DATABASE_URL ?? DATABASE_URL }))
  .refine((env) => env.databaseUrl !== undefined, {
    path: ['LISTINGS_DATABASE_URL'],
    error: 'is required (or DATABASE_URL): the postgres:// URL of the listings database',
  });

async function main(): Promise<void> {
  const env = parseEnv('reindex', reindexEnvSchema);
  const logger = createLogger('listings-reindex', env.LOG_LEVEL);
  const db = createPrisma(env.databaseUrl as string, 4);
  const search = createListingSearch(env, db, logger);
  const where = env.ELASTICSEARCH_URL ? `Elasticsearch at ${env.ELASTICSEARCH_URL}` : 'PostgreSQL (listing_search)';
  process.stderr.write(`reindexing listings into ${where}\n`);
  try {
    const report = await reindexListings(search, db, {
      batchSize: env.REINDEX_BATCH_SIZE,
      onProgress: progressPrinter('reindexing', process.stderr),
    });
    if (process.stderr.isTTY) process.stderr.write('\n');
    const perSecond = report.ms > 0 ? Math.round((report.indexed * 1000) / report.ms) : report.indexed;
    console.log(
      `reindexed ${report.indexed} listings into ${report.target} in ${(report.ms / 1000).toFixed(1)} s (${perSecond}/s)` +
        (report.removed > 0 ? `; ${report.removed} removed that changed meanwhile` : ''),
    );
  } finally {
    await search.close();
    await db.$disconnect();
  }
}

main().catch((err: unknown) => {
  console.error(err instanceof ConfigError ? err.message : `reindex: ${err instanceof Error ? err.message : String(err)}`);
  process.exitCode = 1;
});
