import { z } from 'zod';
import { ForbiddenError, NotFoundError, requireUser, type AuthContext, parseInput } from '@market/platform';
import { canSeeComment, viewerOf, type CommentRecord } from '../domain';
import type { ContentRejected, ModerationService } from '../moderation/moderation-service';
import type { CommentRepository } from '../repositories/comment-repository';
import type { PostService } from './post-service';
import type { WriteLimits } from './rate-limits';


const addCommentSchema = z.object({
  body: z.string().trim().min(1, 'body must not be empty').max(2000, 'body is at most 2000 characters'),
});

export class CommentService {
  constructor(
    private readonly comments: CommentRepository,
    private readonly posts: PostService,
    private readonly limits: WriteLimits,
    private readonly moderation: ModerationService,
  ) {}

  /** Moderation publishes the comment, holds it for review (with a case, in the same transaction) or refuses it. */
  async add(ctx: AuthContext, postId: string, input: unknown): Promise<CommentRecord | ContentRejected> {
    const { userId } = requireUser(ctx);
    const { body } = parseInput(addCommentSchema, input);
    await this.limits.count('addComment', userId);
    const verdict = this.moderation.assess(body);
    const status = verdict.outcome;
    if (status === 'REJECTED') {
      // Say NOT_FOUND or closed first: a refusal must not confirm that a hidden post exists.
      await this.posts.requireOpen(ctx, postId);
      return this.moderation.reject('COMMENT', null, userId, verdict);
    }
    const comment = await this.comments.transaction(async (tx) => {
      const created = await this.comments.createOnPublishedPost({ postId, authorId: userId, body, status }, tx);
      if (created && status === 'HELD') {
        await this.moderation.holdStored(tx, { type: 'COMMENT', id: created.id }, { authorId: userId, postId }, verdict);
      }
      return created;
    });
    return comment ?? this.posts.explainClosed(ctx, postId);
  }

  /** The comment's author, the post's author or an admin may delete a comment. */
  async delete(ctx: AuthContext, id: string): Promise<boolean> {
    const identity = requireUser(ctx);
    const comment = await this.comments.findWithPost(id);
    if (!comment || !canSeeComment(comment, comment.post, viewerOf(identity))) throw new NotFoundError('Comment', id);
    const allowed =
      identity.role === 'ADMIN' || identity.userId === comment.authorId || identity.userId === comment.post.authorId;
    if (!allowed) throw new ForbiddenError('Only the comment’s author, the post’s author or an admin may delete it.');
    if (!(await this.comments.delete(id))) throw new NotFoundError('Comment', id);
    return true;
  }
}
