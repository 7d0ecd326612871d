import { z } from 'zod';
import { ForbiddenError, NotFoundError, requireUser, type AuthContext, parseInput } from '@market/platform';
import { canSeePost, viewerOf, type PostRecord } from '../domain';
import type { PostRepository } from '../repositories/post-repository';
import type { ContentRejected, ModerationService } from '../moderation/moderation-service';
import type { WriteLimits } from './rate-limits';
import { uuid } from './validation';

const postBody = z.string().trim().min(1, 'body must not be empty').max(5000, 'body is at most 5000 characters');

const createPostSchema = z.object({
  body: postBody,
  listingId: uuid('listingId').nullish(),
});

const updatePostSchema = z.object({ body: postBody });

export class PostService {
  constructor(
    private readonly posts: PostRepository,
    private readonly limits: WriteLimits,
    private readonly moderation: ModerationService,
  ) {}

  /** Moderation publishes the post, holds it for review (with a case, in the same transaction) or refuses it. */
  async create(ctx: AuthContext, input: unknown): Promise<PostRecord | ContentRejected> {
    const { userId } = requireUser(ctx);
    const data = parseInput(createPostSchema, input);
    await this.limits.count('createPost', userId);
    const verdict = this.moderation.assess(data.body);
    const status = verdict.outcome;
    if (status === 'REJECTED') return this.moderation.reject('POST', null, userId, verdict);
    return this.posts.transaction(async (tx) => {
      const post = await this.posts.create({ authorId: userId, listingId: data.listingId ?? null, body: data.body, status }, tx);
      if (status === 'HELD')
        await this.moderation.holdStored(tx, { type: 'POST', id: post.id }, { authorId: userId, postId: post.id }, verdict);
      return post;
    });
  }

  /**
   * The new text is moderated like a new post: refused (the old text stays), held (a published post
   * becomes HELD), or fine, in which case the status stays what it was: an item under review or
   * removed is not released by editing it.
   */
  async update(ctx: AuthContext, id: string, input: unknown): Promise<PostRecord | ContentRejected> {
    const identity = requireUser(ctx);
    const data = parseInput(updatePostSchema, input);
    const post = await this.requireVisible(ctx, id);
    if (post.authorId !== identity.userId) throw new ForbiddenError('Only the author of a post may edit it.');
    const verdict = this.moderation.assess(data.body);
    if (verdict.outcome === 'REJECTED') return this.moderation.reject('POST', { id, postId: id }, identity.userId, verdict);
    const hold = verdict.outcome === 'HELD';
    const updated = await this.posts.transaction(async (tx) => {
      const row = await this.posts.updateBody(id, identity.userId, data.body, { hold, tx });
      if (row && hold && row.status === 'HELD')
        await this.moderation.holdStored(tx, { type: 'POST', id }, { authorId: identity.userId, postId: id }, verdict);
      return row;
    });
    if (!updated) throw new NotFoundError('Post', id);
    return updated;
  }

  async delete(ctx: AuthContext, id: string): Promise<boolean> {
    const identity = requireUser(ctx);
    const post = await this.requireVisible(ctx, id);
    if (post.authorId !== identity.userId && identity.role !== 'ADMIN') {
      throw new ForbiddenError('Only the author of a post or an admin may delete it.');
    }
    if (!(await this.posts.delete(id))) throw new NotFoundError('Post', id);
    return true;
  }

  /** The post, when it exists and the caller may see it; NOT_FOUND otherwise, so hidden posts do not leak. */
  private async requireVisible(ctx: AuthContext, id: string): Promise<PostRecord> {
    const post = await this.posts.findById(id);
    if (!post || !canSeePost(post, viewerOf(ctx.identity))) throw new NotFoundError('Post', id);
    return post;
  }
}
