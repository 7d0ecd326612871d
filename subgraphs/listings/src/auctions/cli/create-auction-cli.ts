/**
 * `npm run auction:create -- --listing <id> --start ... --end ... --starting-price ... [--reserve ...]`:
 * the reference portal's auction creator. Signs in through the gateway as the seller (or takes an
 * access token), calls createAuction, prints the auction as JSON on stdout, and explains every
 * failure on stderr with a non-zero exit code.
 */
import { z } from 'zod';
import { ConfigError, parseEnv } from '@market/platform';
import { parseCreateAuctionArgs, UsageError } from './create-auction-args';
import { createAuctionThroughApi } from './create-auction';

const cliEnvSchema = z.object({
  /** Where the gateway answers; --url wins. */
  MARKET_API_URL: z.string().url().default('http://localhost:4000/graphql'),
  /** An access token to use instead of --token (kept out of the shell history). */
  MARKET_ACCESS_TOKEN: z.string().min(1).optional(),
});

async function main(): Promise<void> {
  const env = parseEnv('auction:create', cliEnvSchema);
  const args = parseCreateAuctionArgs(process.argv.slice(2), { url: env.MARKET_API_URL, token: env.MARKET_ACCESS_TOKEN });
  const auction = await createAuctionThroughApi(args, fetch);
  console.log(JSON.stringify(auction, null, 2));
}

main().catch((err: unknown) => {
  console.error(
    err instanceof UsageError || err instanceof ConfigError || (err instanceof Error && err.name === 'CliError')
      ? err.message
      : `auction:create: ${err instanceof Error ? err.message : String(err)}`,
  );
  process.exitCode = 1;
});
