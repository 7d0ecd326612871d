import { z } from 'zod';
import { ConflictError, ForbiddenError, NotFoundError, parseInput, requireRole, requireUser, type AuthContext } from '@market/platform';
import type { Tx } from '../db';
import {
  canSeeComment,
  canSeePost,
  encodeCursor,
  viewerOf,
  type ModerationCaseRecord,
  type ModerationTargetType,
  type PostStatus,
  type Viewer,
} from '../domain';
import { parsePage } from '../services/validation';
import type { Assessment, Moderator } from './moderator';
import type { ModerationRepository, ModerationTarget, TargetState } from './moderation-repository';

/** What `createPost`, `updatePost` and `addComment` answer when moderation refuses the text. */
export interface ContentRejected {
  __typename: 'ContentRejected';
  reasons: string[];
  spamScore: number;
  message: string;
}

export interface ModerationNotice {
  status: PostStatus;
  reasons: string[];
  message: string;
  appealed: boolean;
  canAppeal: boolean;
}

export interface ModerationDecision {
  targetType: ModerationTargetType;
  targetId: string;
  status: PostStatus;
  reason: string | null;
  decidedAt: Date;
}

const reportSchema = z.object({
  reason: z.string().trim().min(1, 'reason must not be empty').max(500, 'reason is at most 500 characters'),
});
const appealSchema = z.object({
  reason: z.string().trim().min(1, 'reason must not be empty').max(1000, 'reason is at most 1000 characters'),
});
const decisionSchema = z.object({ reason: z.string().trim().max(1000, 'reason is at most 1000 characters').nullish() });
const removalSchema = z.object({
  reason: z.string().trim().min(1, 'a removal needs a reason for its author').max(1000, 'reason is at most 1000 characters'),
});

export type CurrentCase = ModerationCaseRecord & { decisionReason: string | null };

/**
 * Moderation's decisions about posts and comments: what the moderator says when a text is written
 * or edited, user reports, the admin queue with approve and remove, and the author's appeal. Every
 * decision is written to the outbox in the transaction that makes it, as
 * `engagement.moderation.decided` (or `.appealed`), so the author can be notified.
 */
export class ModerationService {
  constructor(
    private readonly repo: ModerationRepository,
    private readonly moderator: Moderator,
    /** Distinct reporters that hold an item for review. */
    private readonly reportThreshold: number,
  ) {}

  assess(text: string): Assessment {
    return this.moderator.assess(text);
  }

  /** Records a refused text (nothing else is stored) and says why. `target` is null for a new text. */
  async reject(
    type: ModerationTargetType,
    target: { id: string; postId: string | null } | null,
    authorId: string,
    a: Assessment,
  ): Promise<ContentRejected> {
    await this.repo.transaction((tx) =>
      this.repo.recordDecision(
        tx,
        { type, id: target?.id ?? null, postId: target?.postId ?? null, authorId },
        { caseId: null, status: 'REJECTED', decidedBy: 'MODERATOR', adminId: null, reasons: a.reasons },
      ),
    );
    return {
      __typename: 'ContentRejected',
      reasons: a.reasons,
      spamScore: a.spamScore,
      message: target ? 'The edit was not saved: moderation refused the new text.' : 'Not published: moderation refused the text.',
    };
  }

  /**
   * Inside the transaction that stored a held text: queues it for review unless a case is open
   * already (an edit of an item under review), and records the decision.
   */
  async holdStored(tx: Tx, target: ModerationTarget, state: Pick<TargetState, 'authorId' | 'postId'>, a: Assessment): Promise<void> {
    if (await this.repo.findOpenCase(tx, target)) return;
    const opened = await this.repo.openCase(tx, target, {
      authorId: state.authorId,
      source: 'AUTOMATIC',
      reasons: a.reasons,
      spamScore: a.spamScore,
    });
    await this.repo.recordDecision(
      tx,
      { type: target.type, id: target.id, postId: state.postId, authorId: state.authorId },
      { caseId: opened.id, status: 'HELD', decidedBy: 'MODERATOR', adminId: null, reasons: a.reasons },
    );
  }

  /**
   * A user reports a published item someone else wrote. The report that makes `reportThreshold`
   * distinct reporters since the item was last approved holds it for review.
   */
  async report(ctx: AuthContext, target: ModerationTarget, input: unknown): Promise<boolean> {
    const identity = requireUser(ctx);
    const { reason } = parseInput(reportSchema, input);
    const state = await this.requireVisible(target, viewerOf(identity));
    if (state.authorId === identity.userId) throw new ForbiddenError('You cannot report what you wrote.');
    return this.repo.transaction(async (tx) => {
      await this.repo.lock(tx, target);
      if (!(await this.repo.addReport(tx, target, identity.userId, reason))) return false;
      const reports = await this.repo.countReports(tx, target, await this.repo.lastApprovedAt(tx, target));
      if (reports < this.reportThreshold) return true;
      // Only a published item is held; the conditional UPDATE lets one of several concurrent reports do it.
      if (!(await this.repo.setStatus(tx, target, 'HELD', ['PUBLISHED']))) return true;
      const reasons = [`Reported by ${reports} users.`];
      const existing = await this.repo.findOpenCase(tx, target);
      const held = existing ?? (await this.repo.openCase(tx, target, { authorId: state.authorId, source: 'REPORTS', reasons }));
      await this.repo.recordDecision(
        tx,
        { type: target.type, id: target.id, postId: state.postId, authorId: state.authorId },
        { caseId: held.id, status: 'HELD', decidedBy: 'REPORTS', adminId: null, reasons },
      );
      return true;
    });
  }

  /** The author asks for a review of their held or removed item, once per hold or removal. */
  async appeal(ctx: AuthContext, target: ModerationTarget, input: unknown): Promise<ModerationNotice> {
    const identity = requireUser(ctx);
    const { reason } = parseInput(appealSchema, input);
    const state = await this.requireVisible(target, viewerOf(identity));
    if (state.authorId !== identity.userId) throw new ForbiddenError('Only the author may appeal.');
    return this.repo.transaction(async (tx) => {
      // An admin's decision and the appeal do not interleave.
      await this.repo.lock(tx, target);
      const locked = await this.repo.findTarget(target, tx);
      if (!locked || (locked.status !== 'HELD' && locked.status !== 'REMOVED')) {
        throw new ConflictError(`This ${target.type.toLowerCase()} is not held or removed: there is nothing to appeal.`);
      }
      const open = await this.repo.findOpenCase(tx, target);
      let current: CurrentCase;
      if (open) {
        if (open.appeal) throw new ConflictError('You have appealed already; a moderator will decide.');
        await this.repo.setAppeal(tx, open.id, reason);
        current = { ...open, appeal: reason, decisionReason: null };
      } else {
        const last = await this.repo.findLastDecidedCase(tx, target);
        if (last?.appeal) throw new ConflictError('Your appeal was decided: the removal stands.');
        const reasons = last?.decisionReason ? [last.decisionReason] : (last?.reasons ?? []);
        current = {
          ...(await this.repo.openCase(tx, target, { authorId: state.authorId, source: 'APPEAL', reasons, appeal: reason })),
          decisionReason: null,
        };
      }
      await this.repo.recordAppeal(tx, target, state, current.id, reason);
      return noticeOf(locked.status, current)!;
    });
  }

  /** Admins: publishes the item and closes its case. */
  async approve(ctx: AuthContext, target: ModerationTarget, input: unknown): Promise<ModerationDecision> {
    const admin = requireRole(ctx, 'ADMIN');
    const { reason } = parseInput(decisionSchema, input);
    return this.decide(admin.userId, target, 'PUBLISHED', reason ?? null);
  }

  /** Admins: removes the item from view (its author still sees it, with the reason) and closes its case. */
  async remove(ctx: AuthContext, target: ModerationTarget, input: unknown): Promise<ModerationDecision> {
    const admin = requireRole(ctx, 'ADMIN');
    const { reason } = parseInput(removalSchema, input);
    return this.decide(admin.userId, target, 'REMOVED', reason);
  }

  /** Admins: open cases, oldest first. */
  async queue(ctx: AuthContext, args: { first?: number | null; after?: string | null }): Promise<ModerationCaseRecord[]> {
    requireRole(ctx, 'ADMIN');
    const { first, after } = parsePage(args);
    return this.repo.findOpenPage(first, after);
  }

  private async decide(
    adminId: string,
    target: ModerationTarget,
    status: 'PUBLISHED' | 'REMOVED',
    reason: string | null,
  ): Promise<ModerationDecision> {
    return this.repo.transaction(async (tx) => {
      if (!(await this.repo.setStatus(tx, target, status))) throw new NotFoundError(targetName(target), target.id);
      const state = (await this.repo.findTarget(target, tx))!;
      const outcome = status === 'PUBLISHED' ? 'APPROVED' : 'REMOVED';
      const open =
        (await this.repo.findOpenCase(tx, target)) ??
        (await this.repo.openCase(tx, target, { authorId: state.authorId, source: 'ADMIN', reasons: [] }));
      await this.repo.closeCase(tx, open.id, outcome, adminId, reason);
      await this.repo.recordDecision(
        tx,
        { type: target.type, id: target.id, postId: state.postId, authorId: state.authorId },
        { caseId: open.id, status, decidedBy: 'ADMIN', adminId, reasons: reason ? [reason] : [] },
      );
      return { targetType: target.type, targetId: target.id, status, reason, decidedAt: new Date() };
    });
  }

  /** The item when the viewer may see it; NOT_FOUND otherwise, so hidden items do not leak. */
  private async requireVisible(target: ModerationTarget, viewer: Viewer): Promise<TargetState> {
    const state = await this.repo.findTarget(target);
    const visible = state && (target.type === 'POST' ? canSeePost(state, viewer) : canSeeComment(state, state.post, viewer));
    if (!visible) throw new NotFoundError(targetName(target), target.id);
    return state;
  }
}

/** What the author (and admins) read about a held or removed item; null for anything else. */
export function noticeOf(status: PostStatus, current: CurrentCase | null): ModerationNotice | null {
  if (status !== 'HELD' && status !== 'REMOVED') return null;
  const open = current?.status === 'OPEN' ? current : null;
  const appealed = Boolean(current?.appeal);
  if (status === 'HELD') {
    return {
      status,
      reasons: current?.reasons ?? [],
      message: appealed
        ? 'Held for review; your appeal is with the moderators.'
        : 'Held for review: only you can see it until a moderator approves it.',
      appealed,
      canAppeal: !appealed,
    };
  }
  const reasons = open ? open.reasons : current?.decisionReason ? [current.decisionReason] : (current?.reasons ?? []);
  return {
    status,
    reasons,
    message: open
      ? 'Removed by a moderator; your appeal is with the moderators.'
      : appealed
        ? 'Removed by a moderator after your appeal.'
        : 'Removed by a moderator: only you can see it. You may appeal once.',
    appealed: open ? true : appealed,
    canAppeal: !open && !appealed,
  };
}

const targetName = (t: ModerationTarget) => (t.type === 'POST' ? 'Post' : t.type === 'COMMENT' ? 'Comment' : 'Feedback');

export const caseCursor = (c: ModerationCaseRecord) => encodeCursor(c);
