import type { Role } from '@market/platform';
import type { Db, Tx } from '../db';
import { publishUserUpdated } from '../events/published';

export interface RepublishUsersOptions {
  /** Only users whose updatedAt is at or after this instant; every user when null. */
  updatedSince: Date | null;
  /** Count what would be republished, write nothing. */
  dryRun: boolean;
  /** Users per transaction. */
  batchSize: number;
  /** After each committed batch: how many events it enqueued, and the running total against the count made at the start. */
  onBatch?: (batch: { number: number; enqueued: number; lastUserId: string; done: number; total: number }) => void;
}

/** The final JSON line of `npm run republish:users`. */
export interface RepublishUsersReport {
  dryRun: boolean;
  /** The --since instant (ISO 8601), or null. */
  since: string | null;
  /** Users that matched when the run started. */
  matched: number;
  /** `accounts.user.updated` events written to the outbox (0 in a dry run). */
  enqueued: number;
  batches: number;
  ms: number;
}

interface UserRow {
  id: string;
  name: string;
  role: Role;
  status: 'ACTIVE' | 'SUSPENDED';
}

/** A few seconds of lock waits (a user being written) are normal; longer waits for a connection are not. */
const BATCH_TX = { maxWait: 10_000, timeout: 60_000 } as const;

/**
 * Writes a fresh `accounts.user.updated` event carrying the user's current name, role and status for
 * every verified user (updated since `updatedSince`) to accounts' outbox, in id order, one
 * transaction per batch; the relay of the running services publishes them. For a consumer that joins
 * late or lost its copy of users (messaging's known_users) to rebuild it: its upsert creates a missing
 * user and keeps the newest event per user. Unverified users are left out (other services never hear
 * of them), and so are deleted ones (a user missing from a copy is
 * no more reachable than a deleted one; their erasure was announced by `accounts.user.deleted`). Each user row is share-locked while its event is
 * written, so a concurrent change's own event is written after it. Stopping half-way is harmless:
 * what was committed goes out, and running again re-sends the rest.
 */
export async function republishUsers(db: Db, options: RepublishUsersOptions): Promise<RepublishUsersReport> {
  const started = Date.now();
  const { updatedSince, dryRun, batchSize } = options;
  const matched = await db.user.count({
    where: { emailVerifiedAt: { not: null }, status: { not: 'DELETED' }, ...(updatedSince ? { updatedAt: { gte: updatedSince } } : {}) },
  });
  const report = (enqueued: number, batches: number): RepublishUsersReport => ({
    dryRun,
    since: updatedSince?.toISOString() ?? null,
    matched,
    enqueued,
    batches,
    ms: Date.now() - started,
  });
  if (dryRun) return report(0, 0);

  let after: string | null = null;
  let enqueued = 0;
  let batches = 0;
  for (;;) {
    const from = after;
    const page = await db.$transaction(async (tx) => {
      const users = await lockedPage(tx, from, updatedSince, batchSize);
      for (const user of users) await publishUserUpdated(tx, user.id, { name: user.name, role: user.role, status: user.status });
      return users;
    }, BATCH_TX);
    const last = page.at(-1);
    if (!last) break;
    after = last.id;
    enqueued += page.length;
    batches += 1;
    // Users verified during the run can add to the count made at the start.
    options.onBatch?.({ number: batches, enqueued: page.length, lastUserId: last.id, done: enqueued, total: Math.max(matched, enqueued) });
  }
  return report(enqueued, batches);
}

/** The next verified users after `after` by id, share-locked until the batch commits. */
function lockedPage(tx: Tx, after: string | null, updatedSince: Date | null, take: number): Promise<UserRow[]> {
  return tx.$queryRaw<UserRow[]>`
    SELECT id::text AS id, name, role::text AS role, status::text AS status
    FROM users
    WHERE email_verified_at IS NOT NULL AND status <> 'DELETED'
      AND (${after}::uuid IS NULL OR id > ${after}::uuid)
      AND (${updatedSince}::timestamptz IS NULL OR updated_at >= ${updatedSince}::timestamptz)
    ORDER BY id
    LIMIT ${take}
    FOR SHARE`;
}
