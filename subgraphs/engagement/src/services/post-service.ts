import { z } from 'zod';
import { ConflictError, ForbiddenError, NotFoundError, requireUser, type AuthContext, parseInput } from '@market/platform';
import { canSeePost, encodeCursor, viewerOf, type PostRecord } from '../domain';
import type { PostRepository } from '../repositories/post-repository';
import type { WriteLimits } from './rate-limits';
import { parsePage, uuid } from './validation';

const postBody = z
  .string()
  .trim()
  .min(1, 'body must not be empty')
  .max(5000, 'body is at most 5000 characters');

const createPostSchema = z.object({
  body: postBody,
  listingId: uuid('listingId').nullish(),
});

const updatePostSchema = z.object({ body: postBody });

export interface PostPage {
  edges: { cursor: string; node: PostRecord }[];
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
}

export class PostService {
  constructor(
    private readonly posts: PostRepository,
    private readonly limits: WriteLimits,
  ) {}

  /** Published posts, newest first. */
  async feed(args: { first?: number | null; after?: string | null }): Promise<PostPage> {
    const { first, after } = parsePage(args);
    const rows = await this.posts.findPublishedPage(first + 1, after);
    const page = rows.slice(0, first);
    const edges = page.map((node) => ({ cursor: encodeCursor(node), node }));
    return { edges, pageInfo: { hasNextPage: rows.length > first, endCursor: edges.at(-1)?.cursor ?? null } };
  }

  async create(ctx: AuthContext, input: unknown): Promise<PostRecord> {
    const { userId } = requireUser(ctx);
    const data = parseInput(createPostSchema, input);
    await this.limits.count('createPost', userId);
    return this.posts.create({ authorId: userId, listingId: data.listingId ?? null, body: data.body });
  }

  async update(ctx: AuthContext, id: string, input: unknown): Promise<PostRecord> {
    const identity = requireUser(ctx);
    const data = parseInput(updatePostSchema, input);
    const post = await this.requireVisible(ctx, id);
    if (post.authorId !== identity.userId) throw new ForbiddenError('Only the author of a post may edit it.');
    const updated = await this.posts.updateBody(id, identity.userId, data.body);
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

  /**
   * Why a comment or reaction could not be added to a post: it is not there for this caller
   * (NOT_FOUND, saying nothing of posts they may not see), or they see it but it is not published.
   */
  async explainClosed(ctx: AuthContext, postId: string): Promise<never> {
    const post = await this.requireVisible(ctx, postId);
    throw new ConflictError(`Post ${post.id} is ${post.status.toLowerCase()}: only published posts take comments and reactions.`);
  }

  /** The post, when it exists and the caller may see it; NOT_FOUND otherwise, so hidden posts do not leak. */
  private async requireVisible(ctx: AuthContext, id: string): Promise<PostRecord> {
    const post = await this.posts.findById(id);
    if (!post || !canSeePost(post, viewerOf(ctx.identity))) throw new NotFoundError('Post', id);
    return post;
  }
}
