export { UsageError, parseRepublishArgs, type RepublishArgs } from '@market/platform';

export const REPUBLISH_USAGE = `Usage: npm run republish -- [--since <ISO 8601 date or instant>] [--dry-run]

Writes a fresh listings.listing.upserted event for every listing to the listings outbox; the running
services' relay publishes them, so a new consumer can build its copy of listings.
  --since <when>  only listings updated at or after it: 2026-01-31 (midnight UTC) or an instant with
                  its zone, 2026-01-31T12:00:00Z or 2026-01-31T13:00:00+01:00
  --dry-run       count the listings it would republish; write nothing
Environment: LISTINGS_DATABASE_URL (or DATABASE_URL), REPUBLISH_BATCH_SIZE (500), LOG_LEVEL (warn).`;
