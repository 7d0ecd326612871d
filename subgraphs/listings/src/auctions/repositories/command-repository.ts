import type { Db, Tx } from '../../db';
import { bidResultSchema, type StoredBidResult } from '../live/topics';

export interface CommandRow {
  bidderId: string;
  idempotencyKey: string;
  result: StoredBidResult;
}

/** `auction_commands`: decided bid commands, by id and by (bidder, idempotency key). */
export class AuctionCommandRepository {
  constructor(private readonly db: Db) {}

  async byKey(bidderId: string, idempotencyKey: string): Promise<StoredBidResult | null> {
    const row = await this.db.auctionCommand.findUnique({
      where: { bidderId_idempotencyKey: { bidderId, idempotencyKey } },
      select: { result: true },
    });
    return row ? bidResultSchema.parse(row.result) : null;
  }

  /** The bidder's command's answer (null while undecided, or when it is someone else's). */
  async byId(commandId: string, bidderId: string): Promise<StoredBidResult | null> {
    const row = await this.db.auctionCommand.findFirst({ where: { commandId, bidderId }, select: { result: true } });
    return row ? bidResultSchema.parse(row.result) : null;
  }

  /** Plain INSERT: a key another replica stored meanwhile fails the transaction, which then retries. */
  async record(tx: Tx, bidderId: string, idempotencyKey: string, result: StoredBidResult, decidedAt: Date): Promise<void> {
    await tx.$executeRaw`INSERT INTO auction_commands (command_id, bidder_id, idempotency_key, auction_id, result, decided_at)
      VALUES (${result.commandId}::uuid, ${bidderId}::uuid, ${idempotencyKey}, ${result.auctionId}::uuid, ${JSON.stringify(result)}::jsonb, ${decidedAt})`;
  }

  /** Many at once (a batch's bids); like `record`, a key taken meanwhile fails the transaction. */
  async recordMany(tx: Tx, rows: readonly CommandRow[], decidedAt: Date): Promise<void> {
    await tx.$executeRaw`INSERT INTO auction_commands (command_id, bidder_id, idempotency_key, auction_id, result, decided_at)
      SELECT c.command_id, c.bidder_id, c.idempotency_key, c.auction_id, c.result, ${decidedAt}::timestamptz
      FROM unnest(${rows.map((r) => r.result.commandId)}::uuid[], ${rows.map((r) => r.bidderId)}::uuid[], ${rows.map((r) => r.idempotencyKey)}::text[],
        ${rows.map((r) => r.result.auctionId)}::uuid[], ${rows.map((r) => JSON.stringify(r.result))}::jsonb[])
        AS c(command_id, bidder_id, idempotency_key, auction_id, result)`;
  }

  /** Forgets answers older than `before`; returns how many. */
  async purge(before: Date, limit: number): Promise<number> {
    return this.db.$executeRaw`DELETE FROM auction_commands WHERE command_id IN (
      SELECT command_id FROM auction_commands WHERE decided_at < ${before} LIMIT ${limit})`;
  }
}
