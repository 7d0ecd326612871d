import { uuidsOnly } from '@market/platform';
import type { Db, DbOrTx, Tx } from '../db';
import type { IdempotencyClaim } from '../rules/idempotency';

/** The request that spent a key first: its hash and what it produced (a stay or a viewing). */
export interface PriorRequest {
  requestHash: string;
  stayId: string | null;
  viewingId: string | null;
}

/** What a request with a key produced. */
export type KeyResult = { stayId: string } | { viewingId: string };

const priorSelect = { requestHash: true, stayId: true, viewingId: true, createdAt: true } as const;

async function findLive(db: DbOrTx, claim: IdempotencyClaim): Promise<PriorRequest | null> {
  const row = await db.idempotencyKey.findUnique({
    where: { callerId_key: { callerId: claim.callerId, key: claim.key } },
    select: priorSelect,
  });
  if (!row || row.createdAt <= claim.expiredBefore) return null;
  return { requestHash: row.requestHash, stayId: row.stayId, viewingId: row.viewingId };
}

/** The live request that spent the caller's key, if any (a cheap look before the transaction claims it). */
export async function findPriorRequest(db: DbOrTx, claim: IdempotencyClaim): Promise<PriorRequest | null> {
  if (uuidsOnly([claim.callerId]).length === 0) return null;
  return findLive(db, claim);
}

/**
 * Claims the caller's key for this request inside the caller's transaction, or returns the request
 * that claimed it before. The primary key (caller, key) decides: a concurrent request with the same
 * key waits here until the first commits (then sees its row) or rolls back (then claims the key).
 * A key past its retention is taken over in place, as if it had never been used.
 */
export async function claimIdempotencyKey(tx: Tx, claim: IdempotencyClaim, result: KeyResult): Promise<PriorRequest | null> {
  const stayId = 'stayId' in result ? result.stayId : null;
  const viewingId = 'viewingId' in result ? result.viewingId : null;
  const claimed = await tx.$executeRaw`
    INSERT INTO idempotency_keys (caller_id, key, request_hash, stay_id, viewing_id)
    VALUES (${claim.callerId}::uuid, ${claim.key}, ${claim.requestHash}, ${stayId}::uuid, ${viewingId}::uuid)
    ON CONFLICT (caller_id, key) DO UPDATE SET
      request_hash = EXCLUDED.request_hash, stay_id = EXCLUDED.stay_id, viewing_id = EXCLUDED.viewing_id,
      created_at = EXCLUDED.created_at
    WHERE idempotency_keys.created_at <= ${claim.expiredBefore}`;
  if (claimed === 1) return null;
  const prior = await findLive(tx, claim);
  if (!prior) throw new Error('idempotency key neither claimed nor found');
  return prior;
}

/**
 * Deletes up to `limit` keys claimed at or before `expiredBefore`, oldest first. Rows another replica
 * is deleting (or a request is taking over) are skipped, so replicas never wait on each other.
 */
export async function purgeExpiredIdempotencyKeys(db: Db, expiredBefore: Date, limit: number): Promise<number> {
  return db.$executeRaw`
    DELETE FROM idempotency_keys
    WHERE (caller_id, key) IN (
      SELECT caller_id, key FROM idempotency_keys
      WHERE created_at <= ${expiredBefore}
      ORDER BY created_at
      LIMIT ${limit}
      FOR UPDATE SKIP LOCKED)`;
}

/** Forgets every key a (deleted) user claimed. */
export async function forgetIdempotencyKeysOf(tx: Tx, callerId: string): Promise<void> {
  await tx.idempotencyKey.deleteMany({ where: { callerId } });
}
