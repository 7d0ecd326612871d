import type { Progress } from '../cli-progress';
import type { Db } from '../db';
import { publishListingUpserted } from '../events/published';
import { ListingRepository } from '../repositories/listing-repository';

export interface RepublishOptions {
  /** Only listings whose updatedAt is at or after this instant; every listing when null. */
  updatedSince: Date | null;
  /** Count what would be republished, write nothing. */
  dryRun: boolean;
  /** Listings per transaction. */
  batchSize: number;
  onProgress?: (progress: Progress) => void;
  /** After each committed batch: how many events it enqueued and the last listing id it covered. */
  onBatch?: (batch: { number: number; enqueued: number; lastListingId: string }) => void;
}

/** The final JSON line of `npm run republish`. */
export interface RepublishReport {
  dryRun: boolean;
  /** The --since instant (ISO 8601), or null. */
  since: string | null;
  /** Listings that matched when the run started. */
  matched: number;
  /** `listings.listing.upserted` events written to the outbox (0 in a dry run). */
  enqueued: number;
  batches: number;
  ms: number;
}

/**
 * A batch is one short transaction; a few seconds of lock waits (a listing being written) are normal.
 * Waiting for a pool connection longer than that means the database is in trouble: fail loudly.
 */
const BATCH_TX = { maxWait: 10_000, timeout: 60_000 } as const;

/**
 * Writes a fresh `listings.listing.upserted` event for every listing (updated since `updatedSince`)
 * to the outbox, in id order, one transaction per batch; the relay of the running services publishes
 * them. For a consumer that joins late (a new search cluster, a new service) to build its copy from
 * the current state. Each listing is share-locked while its event is written, so the event carries
 * the listing as committed and a concurrent write's own event is written after it: consumers that
 * keep the newest event (bookings, messaging: by occurredAt) never step back to an older state.
 * Stopping half-way is harmless: what was committed goes out, and running again re-sends the rest
 * (consumers take a re-sent current state as a no-op).
 */
export async function republishListings(db: Db, options: RepublishOptions): Promise<RepublishReport> {
  const started = Date.now();
  const { updatedSince, dryRun, batchSize } = options;
  const matched = await new ListingRepository(db).countUpdatedSince(updatedSince);
  const report = (enqueued: number, batches: number): RepublishReport => ({
    dryRun,
    since: updatedSince?.toISOString() ?? null,
    matched,
    enqueued,
    batches,
    ms: Date.now() - started,
  });
  if (dryRun) return report(0, 0);

  options.onProgress?.({ done: 0, total: matched });
  let after: string | null = null;
  let enqueued = 0;
  let batches = 0;
  for (;;) {
    const page = await db.$transaction(async (tx) => {
      const { listings, lastId } = await ListingRepository.lockedPageById(tx, { after, updatedSince, take: batchSize });
      for (const listing of listings) await publishListingUpserted(tx, listing);
      return { written: listings.length, lastId };
    }, BATCH_TX);
    if (page.lastId === null) break;
    after = page.lastId;
    enqueued += page.written;
    batches += 1;
    options.onBatch?.({ number: batches, enqueued: page.written, lastListingId: page.lastId });
    // Listings updated during the run can add to the count made at the start.
    options.onProgress?.({ done: enqueued, total: Math.max(matched, enqueued) });
  }
  // Fewer than counted (some deleted meanwhile): the bar still ends full.
  if (enqueued < matched) options.onProgress?.({ done: enqueued, total: enqueued });
  return report(enqueued, batches);
}

/**
 * How far this process's clock is ahead of the database's, in ms (negative when behind). The events'
 * occurredAt comes from this clock, and consumers keep the event with the newest occurredAt: an
 * event stamped in the future would make them drop a genuine update stamped before that future.
 */
export async function clockSkewMs(db: Db): Promise<number> {
  await db.$queryRaw`SELECT 1`; // connected first: the samples time a query, not a connection
  let best = { roundTrip: Infinity, skew: 0 };
  for (let i = 0; i < 3; i++) {
    const before = Date.now();
    const [row] = await db.$queryRaw<{ now: Date }[]>`SELECT clock_timestamp() AS now`;
    const after = Date.now();
    // The sample with the shortest round trip brackets the database's reading most tightly.
    if (row && after - before < best.roundTrip)
      best = { roundTrip: after - before, skew: Math.round((before + after) / 2 - row.now.getTime()) };
  }
  return best.skew;
}
