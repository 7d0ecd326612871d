import { z } from 'zod';
import { ConflictError, ForbiddenError, NotFoundError, requireUser, type AuthContext, parseInput } from '@market/platform';
import { canSeeComment, isUuid, viewerOf, type CommentRecord, type TargetRef } from '../domain';
import type { ContentRejected, ModerationService } from '../moderation/moderation-service';
import type { CommentRepository } from '../repositories/comment-repository';
import type { TargetService } from './target-service';
import type { WriteLimits } from './rate-limits';

const commentBody = z.string().trim().min(1, 'body must not be empty').max(2000, 'body is at most 2000 characters');
const addCommentSchema = z.object({
  body: commentBody,
  replyTo: z.string().refine(isUuid, 'replyTo is not an id').nullish(),
});
const updateCommentSchema = z.object({ body: commentBody });

export class CommentService {
  constructor(
    private readonly comments: CommentRepository,
    private readonly targets: TargetService,
    private readonly limits: WriteLimits,
    private readonly moderation: ModerationService,
  ) {}

  /**
   * Comments on a target (or replies to a top-level comment of it). Moderation publishes the
   * comment, holds it for review (with a case, in the same transaction) or refuses it.
   */
  async add(ctx: AuthContext, target: TargetRef, input: unknown): Promise<CommentRecord | ContentRejected> {
    const { userId } = requireUser(ctx);
    const { body, replyTo } = parseInput(addCommentSchema, input);
    await this.limits.count('addComment', userId);
    // NOT_FOUND or closed first: a refusal must not confirm that a hidden target exists.
    await this.targets.requireOpen(viewerOf(ctx.identity), target);
    const verdict = this.moderation.assess(body);
    const status = verdict.outcome;
    if (status === 'REJECTED') return this.moderation.reject('COMMENT', null, userId, verdict);
    const postId = target.type === 'POST' ? target.id : null;
    const comment = await this.comments.transaction(async (tx) => {
      const created = await this.comments.create({ target, parentId: replyTo ?? null, authorId: userId, body, status }, tx);
      if (created && status === 'HELD') {
        await this.moderation.holdStored(tx, { type: 'COMMENT', id: created.id }, { authorId: userId, postId }, verdict);
      }
      return created;
    });
    if (comment) return comment;
    if (replyTo) {
      throw new ConflictError('Replies go to a published top-level comment of the same item, one level deep; that comment is not one.');
    }
    await this.targets.requireOpen(viewerOf(ctx.identity), target);
    throw new ConflictError('It no longer takes comments.');
  }

  /** `comment(id)`: the comment (or its placeholder) when the caller may see it and what it is on; else null. */
  async get(ctx: AuthContext, id: string): Promise<CommentRecord | null> {
    try {
      return await this.requireVisible(ctx, id);
    } catch (err) {
      if (err instanceof NotFoundError) return null;
      throw err;
    }
  }

  /**
   * The author edits a comment. The new text is moderated like a new one: refused (the old text
   * stays), held (a published comment becomes HELD), or fine, in which case the status stays: a
   * comment under review or removed is not released by editing it.
   */
  async update(ctx: AuthContext, id: string, input: unknown): Promise<CommentRecord | ContentRejected> {
    const identity = requireUser(ctx);
    const { body } = parseInput(updateCommentSchema, input);
    const comment = await this.requireVisible(ctx, id);
    if (comment.authorId !== identity.userId) throw new ForbiddenError('Only the author of a comment may edit it.');
    if (comment.deletedAt) throw new NotFoundError('Comment', id);
    await this.limits.count('addComment', identity.userId);
    const verdict = this.moderation.assess(body);
    if (verdict.outcome === 'REJECTED') return this.moderation.reject('COMMENT', { id, postId: comment.postId }, identity.userId, verdict);
    const hold = verdict.outcome === 'HELD';
    const updated = await this.comments.transaction(async (tx) => {
      const row = await this.comments.updateBody(id, identity.userId, body, { hold, tx });
      if (row && hold && row.status === 'HELD') {
        await this.moderation.holdStored(tx, { type: 'COMMENT', id }, { authorId: identity.userId, postId: row.postId }, verdict);
      }
      return row;
    });
    if (!updated) throw new NotFoundError('Comment', id);
    return updated;
  }

  /**
   * The comment's author, the target's owner (a post's author, a listing's owner) or an admin may
   * delete a comment. It stays as a placeholder while it has replies, so the thread reads on.
   */
  async delete(ctx: AuthContext, id: string): Promise<boolean> {
    const identity = requireUser(ctx);
    const comment = await this.requireVisible(ctx, id);
    if (comment.deletedAt) return false;
    let allowed = identity.role === 'ADMIN' || identity.userId === comment.authorId;
    if (!allowed) {
      const target = await this.targets.find(viewerOf(identity), { type: comment.targetType, id: comment.targetId });
      allowed = target !== null && target.ownerId === identity.userId;
    }
    if (!allowed) throw new ForbiddenError('Only the comment’s author, the owner of what it is on, or an admin may delete it.');
    return this.comments.softDelete(id);
  }

  /** The comment when the caller may see it and what it is on; NOT_FOUND otherwise. */
  private async requireVisible(ctx: AuthContext, id: string) {
    const viewer = viewerOf(ctx.identity);
    const comment = await this.comments.findWithPost(id);
    if (!comment || !canSeeComment(comment, comment.post, viewer)) throw new NotFoundError('Comment', id);
    if (comment.targetType !== 'POST' && !(await this.targets.find(viewer, { type: comment.targetType, id: comment.targetId }))) {
      throw new NotFoundError('Comment', id);
    }
    return comment;
  }
}
