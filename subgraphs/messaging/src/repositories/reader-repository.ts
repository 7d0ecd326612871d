import { randomUUID } from 'node:crypto';
import type { Db } from '../db';

/**
 * Who is reading a conversation right now: one lease per open `messageAdded` subscription, in the
 * database so every replica's notification consumer sees every replica's readers. A lease is
 * renewed while events flow and dropped when the subscription ends; a crashed replica's leases
 * lapse after their time.
 */
export class ReaderRepository {
  constructor(
    private readonly db: Db,
    private readonly leaseMs: number,
  ) {}

  async open(conversationId: string, userId: string, now = new Date()): Promise<string> {
    const subscriptionId = randomUUID();
    await this.db.conversationReader.create({
      data: { subscriptionId, conversationId, userId, expiresAt: new Date(now.getTime() + this.leaseMs) },
      select: { subscriptionId: true },
    });
    return subscriptionId;
  }

  async renew(subscriptionId: string, now = new Date()): Promise<void> {
    await this.db.conversationReader.updateMany({ where: { subscriptionId }, data: { expiresAt: new Date(now.getTime() + this.leaseMs) } });
  }

  async close(subscriptionId: string): Promise<void> {
    await this.db.conversationReader.deleteMany({ where: { subscriptionId } });
  }

  /** Drops lapsed leases (any replica; a lapsed lease already counts for nothing, this only keeps the table small). */
  async purgeLapsed(now: Date, limit: number): Promise<number> {
    return this.db.$executeRaw`
      DELETE FROM conversation_readers WHERE subscription_id IN (
        SELECT subscription_id FROM conversation_readers WHERE expires_at < ${now} LIMIT ${limit} FOR UPDATE SKIP LOCKED)`;
  }
}
