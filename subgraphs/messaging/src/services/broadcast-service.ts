import { z } from 'zod';
import { parseInput, type Identity, type ScheduledJob } from '@market/platform';
import type { BroadcastRecord } from '../domain';
import type { BroadcastRepository } from '../repositories/broadcast-repository';
import type { KnownUserRepository } from '../repositories/known-user-repository';
import type { LiveUpdates } from './live-updates';
import { idSchema } from './validation';

const sendSchema = z
  .object({
    audience: z.enum(['USER', 'ROLE', 'EVERYONE']),
    userId: idSchema('userId').nullish(),
    role: z.enum(['BUYER', 'SELLER', 'AGENT', 'HOST', 'ADMIN']).nullish(),
    title: z.string().trim().min(1, 'title must not be empty').max(200, 'title is at most 200 characters'),
    body: z.string().trim().min(1, 'body must not be empty').max(2000, 'body is at most 2000 characters'),
  })
  .refine((i) => i.audience !== 'USER' || i.userId, { message: 'audience USER needs userId', path: ['userId'] })
  .refine((i) => i.audience !== 'ROLE' || i.role, { message: 'audience ROLE needs role', path: ['role'] });

export type SendNotificationResult = { kind: 'broadcast'; broadcast: BroadcastRecord } | { kind: 'recipientUnknown'; userId: string };

/**
 * Admin announcements: stored at once, sent by the `messaging.broadcasts` job in batches of
 * BROADCAST_BATCH_SIZE every BROADCAST_INTERVAL_MS, so "everyone" never floods the database or the
 * live fan-out.
 */
export class BroadcastService {
  constructor(
    private readonly broadcasts: BroadcastRepository,
    private readonly users: KnownUserRepository,
    private readonly live: LiveUpdates,
    private readonly pacing: { batchSize: number; intervalMs: number },
  ) {}

  /** The caller was checked to be an admin. */
  async send(admin: Identity, input: unknown): Promise<SendNotificationResult> {
    const data = parseInput(sendSchema, input);
    const targetUserId = data.audience === 'USER' ? (data.userId ?? null) : null;
    if (targetUserId && !(await this.users.isActive(targetUserId))) return { kind: 'recipientUnknown', userId: targetUserId };
    const broadcast = await this.broadcasts.create({
      adminId: admin.userId.toLowerCase(),
      audience: data.audience,
      targetUserId,
      targetRole: data.audience === 'ROLE' ? (data.role ?? null) : null,
      title: data.title,
      body: data.body,
    });
    return { kind: 'broadcast', broadcast };
  }

  findById(id: string): Promise<BroadcastRecord | null> {
    return this.broadcasts.findById(id);
  }

  /** One batch per turn (returns 1 when it sent one, so the scheduler waits for the next turn: the pacing). */
  job(): ScheduledJob {
    return {
      name: 'messaging.broadcasts',
      everyMs: this.pacing.intervalMs,
      run: async (_limit, now) => {
        const stored = await this.broadcasts.sendNextBatch(this.pacing.batchSize, now);
        if (stored === null) return 0;
        for (const notification of stored) await this.live.notificationAdded(notification);
        return 1;
      },
    };
  }
}
