/**
 * `npm run republish [-- --since <when>] [-- --dry-run]`: writes a fresh `listings.listing.upserted`
 * event for every listing to the outbox, for a consumer that joins late to build its copy from the
 * current state. Progress on stderr, logs (JSON) at LOG_LEVEL, and one JSON summary line on stdout.
 */
import { z } from 'zod';
import { ConfigError, createLogger, logLevel, parseEnv, postgresUrl } from '@market/platform';
import { progressPrinter } from '../cli-progress';
import { createPrisma } from '../db';
import { REPUBLISH_USAGE, UsageError, parseRepublishArgs } from './republish-args';
import { clockSkewMs, republishListings } from './republish';

const republishEnvSchema = z
  .object({
    /** The listings database; LISTINGS_DATABASE_URL (as for `npm run db:migrate`) wins over DATABASE_URL. */
    LISTINGS_DATABASE_URL: postgresUrl.optional(),
    DATABASE_URL: postgresUrl.optional(),
    REPUBLISH_BATCH_SIZE: z.coerce.number().int().min(1).max(10_000).default(500),
    LOG_LEVEL: logLevel.default('warn'),
  })
  .transform(({ LISTINGS_DATABASE_URL, DATABASE_URL, ...rest }) => ({ ...rest, databaseUrl: LISTINGS_DATABASE_URL ?? DATABASE_URL }))
  .refine((env) => env.databaseUrl !== undefined, {
    path: ['LISTINGS_DATABASE_URL'],
    error: 'is required (or DATABASE_URL): the postgres:// URL of the listings database',
  });

/** Beyond this, a republished event could hide a genuine update from consumers (see clockSkewMs). */
const MAX_CLOCK_SKEW_MS = 1_000;

async function main(): Promise<void> {
  const args = parseRepublishArgs(process.argv.slice(2));
  if (args.help) {
    console.log(REPUBLISH_USAGE);
    return;
  }
  const env = parseEnv('republish', republishEnvSchema);
  const logger = createLogger('listings-republish', env.LOG_LEVEL);
  const db = createPrisma(env.databaseUrl as string, 2);
  try {
    const skew = await clockSkewMs(db);
    if (!args.dryRun && Math.abs(skew) > MAX_CLOCK_SKEW_MS) {
      throw new Error(
        `this machine's clock is ${skew} ms off the database's; events stamped with it could hide or be hidden by real updates. Sync the clock (NTP) and run again.`,
      );
    }
    const since = args.updatedSince ? ` updated since ${args.updatedSince.toISOString()}` : '';
    process.stderr.write(`${args.dryRun ? 'counting' : 'republishing'} listings${since}\n`);
    logger.info(
      { since: args.updatedSince, dryRun: args.dryRun, batchSize: env.REPUBLISH_BATCH_SIZE, clockSkewMs: skew },
      'republish started',
    );
    const report = await republishListings(db, {
      updatedSince: args.updatedSince,
      dryRun: args.dryRun,
      batchSize: env.REPUBLISH_BATCH_SIZE,
      onProgress: progressPrinter('republishing', process.stderr),
      onBatch: (batch) => logger.debug(batch, 'batch committed'),
    });
    if (process.stderr.isTTY && !args.dryRun) process.stderr.write('\n');
    // The summary is the last line on stdout, after any log line still buffered.
    await new Promise<void>((resolve) => logger.flush(() => resolve()));
    console.log(JSON.stringify(report));
  } finally {
    await db.$disconnect();
  }
}

main().catch((err: unknown) => {
  if (err instanceof UsageError) {
    console.error(`republish: ${err.message}\n\n${REPUBLISH_USAGE}`);
    process.exitCode = 2;
    return;
  }
  console.error(err instanceof ConfigError ? err.message : `republish: ${err instanceof Error ? err.message : String(err)}`);
  process.exitCode = 1;
});
