/**
 * `npm run auctions:rebuild`: rebuilds the auction read models (auction_summaries, auction_bids) and
 * the snapshots from the event log, with progress on stderr and a summary line on stdout. Reads keep
 * answering from the old tables until the rebuild commits; appends wait for it.
 */
import { z } from 'zod';
import { ConfigError, logLevel, parseEnv, postgresUrl } from '@market/platform';
import { progressPrinter } from '../../cli-progress';
import { createPrisma } from '../../db';
import { auctionsEnvShape } from '../env';
import { rebuildAuctionReadModels } from '../repositories/rebuild';

const rebuildEnvSchema = z
  .object({
    /** The listings database; LISTINGS_DATABASE_URL (as for `npm run db:migrate`) wins over DATABASE_URL. */
    LISTINGS_DATABASE_URL: postgresUrl.optional(),
    DATABASE_URL: postgresUrl.optional(),
    AUCTION_SNAPSHOT_EVERY: auctionsEnvShape.AUCTION_SNAPSHOT_EVERY,
    AUCTION_REBUILD_BATCH_SIZE: z.coerce.number().int().min(1).max(100_000).default(2_000),
    LOG_LEVEL: logLevel.default('warn'),
  })
  .transform(({ LISTINGS_DATABASE_URL, DATABASE_URL, ...rest }) => ({ ...rest, databaseUrl: LISTINGS_DATABASE_URL ?? DATABASE_URL }))
  .refine((env) => env.databaseUrl !== undefined, {
    path: ['LISTINGS_DATABASE_URL'],
    error: 'is required (or DATABASE_URL): the postgres:// URL of the listings database',
  });

async function main(): Promise<void> {
  const env = parseEnv('auctions:rebuild', rebuildEnvSchema);
  const db = createPrisma(env.databaseUrl as string, 2);
  process.stderr.write('rebuilding auction read models from auction_events\n');
  try {
    const report = await rebuildAuctionReadModels(db, {
      batchSize: env.AUCTION_REBUILD_BATCH_SIZE,
      snapshotEvery: env.AUCTION_SNAPSHOT_EVERY,
      onProgress: progressPrinter('replaying events', process.stderr),
    });
    if (process.stderr.isTTY) process.stderr.write('\n');
    console.log(`rebuilt ${report.auctions} auctions from ${report.events} events in ${(report.ms / 1000).toFixed(1)} s`);
  } finally {
    await db.$disconnect();
  }
}

main().catch((err: unknown) => {
  console.error(err instanceof ConfigError ? err.message : `auctions:rebuild: ${err instanceof Error ? err.message : String(err)}`);
  process.exitCode = 1;
});
