import type { Tx } from '../db';
import type { TargetType } from '../domain';

/** What other domains' deletions mean here; run inside the event's transaction. */
export class CleanupRepository {
  constructor(private readonly tx: Tx) {}

  /**
   * A deleted account takes its posts (with their comments, reactions and feedback), comments
   * (replies to them go too: they answer a text that is gone), reactions, feedback, views and
   * reports with it. Their reviews stay, with an anonymous author.
   */
  async forgetUser(userId: string): Promise<void> {
    await this.tx.post.deleteMany({ where: { authorId: userId } });
    await this.tx.comment.deleteMany({ where: { authorId: userId } });
    await this.tx.reaction.deleteMany({ where: { userId } });
    await this.tx.feedback.deleteMany({ where: { authorId: userId } });
    await this.tx.viewDay.deleteMany({ where: { userId } });
    // Their own posts' and comments' cases and reports went with them (cascade); their reports of others' go too.
    await this.tx.moderationReport.deleteMany({ where: { reporterId: userId } });
    await this.tx.review.updateMany({ where: { authorId: userId }, data: { authorId: null } });
    await this.tx.review.updateMany({ where: { subjectId: userId }, data: { subjectId: null } });
    await this.tx.completedStay.updateMany({ where: { guestId: userId }, data: { guestId: null } });
    await this.tx.completedStay.updateMany({ where: { hostId: userId }, data: { hostId: null } });
    // Out of the social graph, with their settings.
    await this.tx.socialConnection.deleteMany({ where: { OR: [{ userId }, { otherId: userId }] } });
    await this.tx.socialFollow.deleteMany({ where: { OR: [{ followerId: userId }, { followeeId: userId }] } });
    await this.tx.userSetting.deleteMany({ where: { userId } });
  }

  /** Posts about a deleted listing stay, no longer pointing at it; the engagement on it goes. */
  async forgetListing(listingId: string): Promise<void> {
    await this.tx.post.updateMany({ where: { listingId }, data: { listingId: null } });
    await this.forgetTarget('LISTING', listingId);
  }

  /**
   * A deleted listing or machine takes its comments, reactions, feedback, views and totals with it;
   * its replica stays as a tombstone (status DELETED) so a late, older event cannot bring it back.
   */
  async forgetTarget(targetType: Exclude<TargetType, 'POST'>, targetId: string): Promise<void> {
    const target = { targetType, targetId };
    await this.tx.comment.deleteMany({ where: target });
    await this.tx.reaction.deleteMany({ where: target });
    await this.tx.feedback.deleteMany({ where: target });
    await this.tx.viewDay.deleteMany({ where: target });
    await this.tx.engagementCounter.deleteMany({ where: target });
    await this.tx.$executeRaw`
      INSERT INTO target_replicas (target_type, target_id, status, version, updated_at)
      VALUES (${targetType}::target_type, ${targetId}::uuid, 'DELETED', 2147483647, now())
      ON CONFLICT (target_type, target_id) DO UPDATE SET status = 'DELETED', version = 2147483647, updated_at = now()`;
  }
}
