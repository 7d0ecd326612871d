import type { Tx } from '../db';

/** What other domains' deletions mean here; run inside the event's transaction. */
export class CleanupRepository {
  constructor(private readonly tx: Tx) {}

  /** A deleted account takes its posts (with their comments and reactions), comments, reactions and reports with it. */
  async forgetUser(userId: string): Promise<void> {
    await this.tx.post.deleteMany({ where: { authorId: userId } });
    await this.tx.comment.deleteMany({ where: { authorId: userId } });
    await this.tx.reaction.deleteMany({ where: { userId } });
    // Their own posts' and comments' cases and reports went with them (cascade); their reports of others' go too.
    await this.tx.moderationReport.deleteMany({ where: { reporterId: userId } });
  }

  /** Posts about a deleted listing stay, no longer pointing at it. */
  async forgetListing(listingId: string): Promise<void> {
    await this.tx.post.updateMany({ where: { listingId }, data: { listingId: null } });
  }
}
