import type { Db } from '../db';
import type { BroadcastRecord, NotificationRecord } from '../domain';
import { planDeliveries } from './delivery-repository';
import { KnownUserRepository } from './known-user-repository';
import { NotificationRepository } from './notification-repository';

const broadcastSelect = { id: true, audience: true, title: true, body: true, sentCount: true, createdAt: true, finishedAt: true } as const;

export interface NewBroadcast {
  adminId: string;
  audience: 'USER' | 'ROLE' | 'EVERYONE';
  targetUserId: string | null;
  targetRole: string | null;
  title: string;
  body: string;
}

/** Admin announcements and their paced fan-out. */
export class BroadcastRepository {
  constructor(private readonly db: Db) {}

  async create(input: NewBroadcast): Promise<BroadcastRecord> {
    return (await this.db.broadcast.create({ data: input, select: broadcastSelect })) as BroadcastRecord;
  }

  async findById(id: string): Promise<BroadcastRecord | null> {
    return (await this.db.broadcast.findUnique({ where: { id }, select: broadcastSelect })) as BroadcastRecord | null;
  }

  /**
   * Sends the next batch of the oldest unfinished announcement, in one transaction: the broadcast
   * row is claimed FOR UPDATE SKIP LOCKED (two replicas never send one batch twice; another replica
   * takes the next announcement meanwhile), the next `batch` recipients after its cursor get the
   * notification (deduplicated per announcement and recipient), and the cursor moves on. Returns the
   * notifications stored (to announce live after the commit), or null when nothing is pending.
   */
  async sendNextBatch(batch: number, now: Date): Promise<NotificationRecord[] | null> {
    return this.db.$transaction(
      async (tx) => {
        const claimed = await tx.$queryRaw<
          {
            id: string;
            audience: string;
            targetUserId: string | null;
            targetRole: string | null;
            cursor: string | null;
            title: string;
            body: string;
          }[]
        >`
          SELECT id::text AS id, audience, target_user_id::text AS "targetUserId", target_role AS "targetRole", cursor::text AS cursor, title, body
          FROM broadcasts WHERE finished_at IS NULL ORDER BY created_at, id LIMIT 1 FOR UPDATE SKIP LOCKED`;
        const b = claimed[0];
        if (!b) return null;
        const recipients =
          b.audience === 'USER'
            ? b.cursor || !b.targetUserId
              ? []
              : [b.targetUserId]
            : await new KnownUserRepository(tx).recipientsAfter(b.cursor, b.audience === 'ROLE' ? b.targetRole : null, batch);
        const stored =
          recipients.length === 0
            ? []
            : await new NotificationRepository(tx).createForEach(
                recipients,
                { kind: 'SYSTEM', title: b.title, body: b.body },
                `broadcast:${b.id}:`,
              );
        await planDeliveries(tx, stored);
        const finished = b.audience === 'USER' || recipients.length < batch;
        await tx.broadcast.update({
          where: { id: b.id },
          data: {
            cursor: recipients.at(-1) ?? b.cursor,
            sentCount: { increment: stored.length },
            finishedAt: finished ? now : null,
          },
          select: { id: true },
        });
        return stored;
      },
      { timeout: 60_000 },
    );
  }
}
