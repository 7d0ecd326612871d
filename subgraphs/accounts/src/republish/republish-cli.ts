/**
 * `npm run republish:users [-- --since <when>] [-- --dry-run]`: writes a fresh `accounts.user.updated`
 * event (name, role, status) for every verified user to accounts' outbox, for a consumer that joins
 * late or lost its copy of users (messaging's known_users). Progress on stderr, and one JSON summary
 * line on stdout.
 */
import { z } from 'zod';
import { ConfigError, UsageError, parseEnv, parseRepublishArgs, postgresUrl } from '@market/platform';
import { createPrisma } from '../db';
import { republishUsers } from './republish-users';

const USAGE = `Usage: npm run republish:users -- [--since <ISO 8601 date or instant>] [--dry-run]

Writes a fresh accounts.user.updated event (name, role, status) for every verified, not deleted user to
the accounts outbox; the running services' relay publishes them, so a consumer can rebuild its copy of users.
  --since <when>  only users updated at or after it: 2026-01-31 (midnight UTC) or 2026-01-31T12:00:00Z
  --dry-run       count the users it would republish; write nothing
Environment: ACCOUNTS_DATABASE_URL (or DATABASE_URL), REPUBLISH_BATCH_SIZE (500).`;

const envSchema = z
  .object({
    /** The accounts database; ACCOUNTS_DATABASE_URL (as for `npm run db:migrate`) wins over DATABASE_URL. */
    ACCOUNTS_DATABASE_URL: postgresUrl.optional(),
    DATABASE_URL: postgresUrl.optional(),
    REPUBLISH_BATCH_SIZE: z.coerce.number().int().min(1).max(10_000).default(500),
  })
  .transform(({ ACCOUNTS_DATABASE_URL, DATABASE_URL, ...rest }) => ({ ...rest, databaseUrl: ACCOUNTS_DATABASE_URL ?? DATABASE_URL }))
  .refine((env) => env.databaseUrl !== undefined, {
    path: ['ACCOUNTS_DATABASE_URL'],
    error: 'is required (or DATABASE_URL): the postgres:// URL of the accounts database',
  });

/** `--since`, `--dry-run`, `--help` (the platform's republish command line); anything else is a UsageError. */
export const parseRepublishUsersArgs = parseRepublishArgs;

async function main(): Promise<void> {
  const args = parseRepublishUsersArgs(process.argv.slice(2));
  if (args.help) {
    console.log(USAGE);
    return;
  }
  const env = parseEnv('republish:users', envSchema);
  const db = createPrisma(env.databaseUrl as string, 2);
  try {
    process.stderr.write(
      `${args.dryRun ? 'counting' : 'republishing'} users${args.updatedSince ? ` updated since ${args.updatedSince.toISOString()}` : ''}\n`,
    );
    const report = await republishUsers(db, {
      updatedSince: args.updatedSince,
      dryRun: args.dryRun,
      batchSize: env.REPUBLISH_BATCH_SIZE,
      onBatch: (b) => process.stderr.write(`batch ${b.number}: ${b.done}/${b.total} users\n`),
    });
    console.log(JSON.stringify(report));
  } finally {
    await db.$disconnect();
  }
}

if (require.main === module) {
  main().catch((err: unknown) => {
    if (err instanceof UsageError) {
      console.error(`republish:users: ${err.message}\n\n${USAGE}`);
      process.exitCode = 2;
      return;
    }
    console.error(err instanceof ConfigError ? err.message : `republish:users: ${err instanceof Error ? err.message : String(err)}`);
    process.exitCode = 1;
  });
}
