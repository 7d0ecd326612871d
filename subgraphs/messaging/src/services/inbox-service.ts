import { BadUserInputError, DataLoader, parseInput, type Identity, type Logger, type ScheduledJob } from '@market/platform';
import { decodeInboxCursor, isUuid, type InboxUpdateRecord } from '../domain';
import type { InboxRepository } from '../repositories/inbox-repository';
import type { BlockRepository } from '../repositories/known-user-repository';
import type { ReaderRepository } from '../repositories/reader-repository';
import { withReadingLease } from './reading';
import { idSchema, pageSizeSchema } from './validation';

/** The per-user inbox stream (`inboxUpdated`, `inboxUpdates`), who is reading what, and blocking. */
export class InboxService {
  /**
   * Shared by every live subscriber of this process and never cached (a block applies at once): the
   * checks of one tick share one query, so a message to many subscribers costs one.
   */
  private readonly blocked: DataLoader<{ blockerId: string; blockedId: string }, boolean, string>;

  constructor(
    private readonly updates: InboxRepository,
    private readonly readers: ReaderRepository,
    private readonly blocks: BlockRepository,
    private readonly logger: Logger,
    private readonly leaseMs: number,
  ) {
    const keyOf = (p: { blockerId: string; blockedId: string }) => `${p.blockerId}:${p.blockedId}`;
    this.blocked = new DataLoader(
      async (pairs) => {
        const distinct = [...new Map(pairs.map((p) => [keyOf(p), p])).values()];
        const found = new Set((await this.blocks.blocksAmong(distinct)).map(keyOf));
        return pairs.map((p) => found.has(keyOf(p)));
      },
      { cache: false, maxBatchSize: 500, batchScheduleFn: (run) => setImmediate(run) },
    );
  }

  async page(identity: Identity, after: string | null | undefined, first: number | null | undefined): Promise<InboxUpdateRecord[]> {
    const size = parseInput(pageSizeSchema('first', 500), first ?? 100);
    let seq: number | null = null;
    if (after != null) {
      seq = decodeInboxCursor(after);
      if (seq === null) {
        const problem = 'after is not a cursor this API handed out';
        throw new BadUserInputError(problem, { after: [problem] });
      }
    }
    return this.updates.page(identity.userId.toLowerCase(), seq, size);
  }

  /** Whether a live inbox update is for this subscriber (its user only). */
  isFor(identity: Identity | null, update: InboxUpdateRecord): boolean {
    return identity !== null && update.userId === identity.userId.toLowerCase();
  }

  /** Counts the subscriber as reading the conversation while `events` flow (no MESSAGE notifications meanwhile). */
  reading<T>(events: AsyncIterator<T>, conversationId: string, identity: Identity): Promise<AsyncIterableIterator<T>> {
    return withReadingLease(
      events,
      this.readers,
      { conversationId, userId: identity.userId.toLowerCase() },
      this.logger,
      Math.max(1000, this.leaseMs / 5),
    );
  }

  async block(identity: Identity, userId: string): Promise<boolean> {
    const target = parseInput(idSchema('userId'), userId);
    const me = identity.userId.toLowerCase();
    if (target === me) {
      const problem = 'you cannot block yourself';
      throw new BadUserInputError(problem, { userId: [problem] });
    }
    await this.blocks.block(me, target);
    return true;
  }

  async unblock(identity: Identity, userId: string): Promise<boolean> {
    const target = parseInput(idSchema('userId'), userId);
    await this.blocks.unblock(identity.userId.toLowerCase(), target);
    return true;
  }

  blockedBy(identity: Identity): Promise<string[]> {
    return this.blocks.blockedBy(identity.userId.toLowerCase());
  }

  /** Whether the viewer blocked this sender (live messages of blocked users are not delivered). */
  async hides(identity: Identity | null, senderId: string): Promise<boolean> {
    if (!identity || !isUuid(senderId)) return false;
    return this.blocked.load({ blockerId: identity.userId.toLowerCase(), blockedId: senderId.toLowerCase() });
  }

  /** Drops inbox updates past their 7 days and lapsed reading leases; safe on every replica (SKIP LOCKED). */
  purgeJob(): ScheduledJob {
    return {
      name: 'messaging.inbox-purge',
      everyMs: 10 * 60_000,
      run: async (limit, now) => (await this.updates.purge(now, limit)) + (await this.readers.purgeLapsed(now, limit)),
    };
  }
}
