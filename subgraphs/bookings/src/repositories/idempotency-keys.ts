import type { Tx } from '../db';
import type { IdempotencyClaim } from '../services/idempotency';

/** The request that spent a key first: its hash and the stay it produced. */
export interface PriorRequest {
  requestHash: string;
  stayId: string;
}

/**
 * Claims the caller's key for this request inside the caller's transaction, or returns the request
 * that claimed it before. The primary key (caller, key) decides: a concurrent request with the same
 * key waits here until the first commits (then sees its row) or rolls back (then claims the key).
 */
export async function claimIdempotencyKey(tx: Tx, claim: IdempotencyClaim, stayId: string): Promise<PriorRequest | null> {
  const inserted = await tx.$executeRaw`
    INSERT INTO idempotency_keys (caller_id, key, request_hash, stay_id)
    VALUES (${claim.callerId}::uuid, ${claim.key}, ${claim.requestHash}, ${stayId}::uuid)
    ON CONFLICT (caller_id, key) DO NOTHING`;
  if (inserted === 1) return null;
  const prior = await tx.idempotencyKey.findUnique({
    where: { callerId_key: { callerId: claim.callerId, key: claim.key } },
    select: { requestHash: true, stayId: true },
  });
  if (!prior) throw new Error('idempotency key neither inserted nor found');
  return prior;
}
