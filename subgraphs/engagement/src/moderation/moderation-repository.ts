import { enqueueEvent, type EventPayload } from '@market/platform';
import type { Db, Tx } from '../db';
import { isUuid, type ModerationCaseRecord, type ModerationSource, type ModerationTargetType, type PostStatus } from '../domain';

/** A post or comment as moderation sees it. */
export interface ModerationTarget {
  type: ModerationTargetType;
  id: string;
}

/** What deciding about an item needs: who wrote it, its status, and the post it sits on. */
export interface TargetState {
  authorId: string;
  status: PostStatus;
  /** The post itself for a post; a comment's or feedback's post (null when it is on a listing or machine). */
  postId: string | null;
  post: { authorId: string; status: PostStatus } | null;
}

const caseSelect = {
  id: true,
  postId: true,
  commentId: true,
  feedbackId: true,
  authorId: true,
  source: true,
  status: true,
  reasons: true,
  spamScore: true,
  appeal: true,
  createdAt: true,
  decidedAt: true,
} as const;

/** The case columns naming the target. */
export const targetColumns = (t: ModerationTarget) =>
  t.type === 'POST' ? { postId: t.id } : t.type === 'COMMENT' ? { commentId: t.id } : { feedbackId: t.id };

export type Decision = Omit<EventPayload<'engagement.moderation.decided'>, 'targetType' | 'targetId' | 'postId' | 'authorId'>;

export class ModerationRepository {
  constructor(private readonly db: Db) {}

  transaction<T>(fn: (tx: Tx) => Promise<T>): Promise<T> {
    return this.db.$transaction(fn);
  }

  async findTarget(target: ModerationTarget, tx?: Tx): Promise<TargetState | null> {
    if (!isUuid(target.id)) return null;
    const db = tx ?? this.db;
    if (target.type === 'POST') {
      const post = await db.post.findUnique({ where: { id: target.id }, select: { authorId: true, status: true } });
      return post && { ...post, postId: target.id, post };
    }
    const select = { authorId: true, status: true, postId: true, post: { select: { authorId: true, status: true } } } as const;
    if (target.type === 'FEEDBACK') return db.feedback.findUnique({ where: { id: target.id }, select });
    return db.comment.findUnique({ where: { id: target.id }, select });
  }

  /** Locks the item's row until the transaction ends, so decisions about one item run one at a time. */
  async lock(tx: Tx, target: ModerationTarget): Promise<void> {
    if (target.type === 'POST') await tx.$executeRaw`SELECT 1 FROM posts WHERE id = ${target.id}::uuid FOR UPDATE`;
    else if (target.type === 'COMMENT') await tx.$executeRaw`SELECT 1 FROM comments WHERE id = ${target.id}::uuid FOR UPDATE`;
    else await tx.$executeRaw`SELECT 1 FROM feedback WHERE id = ${target.id}::uuid FOR UPDATE`;
  }

  /**
   * Sets the item's status, only from one of `from` when given; true when a row changed. The UPDATE
   * locks the row, so concurrent decisions about one item run one after the other.
   */
  async setStatus(tx: Tx, target: ModerationTarget, status: PostStatus, from?: PostStatus[]): Promise<boolean> {
    const where = { id: target.id, ...(from && { status: { in: from } }) };
    const { count } =
      target.type === 'POST'
        ? await tx.post.updateMany({ where, data: { status } })
        : target.type === 'COMMENT'
          ? await tx.comment.updateMany({ where, data: { status } })
          : await tx.feedback.updateMany({ where, data: { status } });
    return count > 0;
  }

  async findOpenCase(tx: Tx | null, target: ModerationTarget): Promise<ModerationCaseRecord | null> {
    return (tx ?? this.db).moderationCase.findFirst({ where: { ...targetColumns(target), status: 'OPEN' }, select: caseSelect });
  }

  /** The item's most recent decided case: what the last decision was, and whether it was appealed. */
  async findLastDecidedCase(tx: Tx, target: ModerationTarget): Promise<(ModerationCaseRecord & { decisionReason: string | null }) | null> {
    return tx.moderationCase.findFirst({
      where: { ...targetColumns(target), status: { not: 'OPEN' } },
      orderBy: [{ decidedAt: 'desc' }, { id: 'desc' }],
      select: { ...caseSelect, decisionReason: true },
    });
  }

  async openCase(
    tx: Tx,
    target: ModerationTarget,
    data: { authorId: string; source: ModerationSource; reasons: string[]; spamScore?: number | null; appeal?: string | null },
  ): Promise<ModerationCaseRecord> {
    return tx.moderationCase.create({ data: { ...targetColumns(target), ...data }, select: caseSelect });
  }

  async setAppeal(tx: Tx, caseId: string, appeal: string): Promise<void> {
    await tx.moderationCase.updateMany({ where: { id: caseId }, data: { appeal } });
  }

  async closeCase(tx: Tx, caseId: string, outcome: 'APPROVED' | 'REMOVED', adminId: string, reason: string | null): Promise<void> {
    await tx.moderationCase.updateMany({
      where: { id: caseId, status: 'OPEN' },
      data: { status: outcome, decidedBy: adminId, decisionReason: reason, decidedAt: new Date() },
    });
  }

  /** Writes the decision to the outbox in the caller's transaction. */
  async recordDecision(
    tx: Tx,
    subject: { type: ModerationTargetType; id: string | null; postId: string | null; authorId: string },
    decision: Decision,
  ): Promise<void> {
    await enqueueEvent(tx, 'engagement.moderation.decided', subject.id ?? subject.authorId, {
      targetType: subject.type,
      targetId: subject.id,
      postId: subject.postId,
      authorId: subject.authorId,
      ...decision,
    });
  }

  async recordAppeal(tx: Tx, target: ModerationTarget, state: TargetState, caseId: string, appeal: string): Promise<void> {
    await enqueueEvent(tx, 'engagement.moderation.appealed', target.id, {
      targetType: target.type,
      targetId: target.id,
      postId: state.postId,
      authorId: state.authorId,
      caseId,
      appeal,
    });
  }

  /** Adds one user's report; false when they had reported the item already. */
  async addReport(tx: Tx, target: ModerationTarget, reporterId: string, reason: string): Promise<boolean> {
    const { count } = await tx.moderationReport.createMany({
      data: [{ ...targetColumns(target), reporterId, reason }],
      skipDuplicates: true,
    });
    return count > 0;
  }

  /** Distinct reporters since `since` (the item's last approval): an approved item starts afresh. */
  async countReports(tx: Tx, target: ModerationTarget, since: Date | null): Promise<number> {
    return tx.moderationReport.count({ where: { ...targetColumns(target), ...(since && { createdAt: { gt: since } }) } });
  }

  /** When an admin last approved the item, or null. */
  async lastApprovedAt(tx: Tx, target: ModerationTarget): Promise<Date | null> {
    const last = await tx.moderationCase.findFirst({
      where: { ...targetColumns(target), status: 'APPROVED' },
      orderBy: { decidedAt: 'desc' },
      select: { decidedAt: true },
    });
    return last?.decidedAt ?? null;
  }

  /** Open cases, oldest first, after a position. */
  async findOpenPage(limit: number, after: { createdAt: Date; id: string } | null): Promise<ModerationCaseRecord[]> {
    return this.db.moderationCase.findMany({
      where: {
        status: 'OPEN',
        ...(after && { OR: [{ createdAt: { gt: after.createdAt } }, { createdAt: after.createdAt, id: { gt: after.id } }] }),
      },
      orderBy: [{ createdAt: 'asc' }, { id: 'asc' }],
      take: limit,
      select: caseSelect,
    });
  }

  /** For each item, its open case if any, else its latest decided one: what its notice says. */
  async findCurrentCases(
    column: 'postId' | 'commentId' | 'feedbackId',
    ids: readonly string[],
  ): Promise<(ModerationCaseRecord & { decisionReason: string | null })[]> {
    const cases = await this.db.moderationCase.findMany({
      where: { [column]: { in: ids.filter(isUuid) } },
      orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
      select: { ...caseSelect, decisionReason: true },
    });
    const current = new Map<string, (typeof cases)[number]>();
    for (const c of cases) {
      const key = c[column] as string;
      const seen = current.get(key);
      if (!seen || (seen.status !== 'OPEN' && c.status === 'OPEN')) current.set(key, c);
    }
    return [...current.values()];
  }

  async findReports(column: 'postId' | 'commentId' | 'feedbackId', ids: readonly string[]) {
    return this.db.moderationReport.findMany({
      where: { [column]: { in: ids.filter(isUuid) } },
      orderBy: [{ createdAt: 'asc' }, { id: 'asc' }],
      select: { postId: true, commentId: true, feedbackId: true, reporterId: true, reason: true, createdAt: true },
    });
  }
}
