import { ConflictError, NotFoundError } from '@market/platform';
import { canSeePost, canSeeReplica, isUuid, type TargetRef, type TargetType, type Viewer } from '../domain';
import type { PostRepository } from '../repositories/post-repository';
import type { TargetRepository } from '../repositories/target-repository';

/** A target the caller may see: who owns it, and whether it takes new comments, reactions and feedback. */
export interface VisibleTarget extends TargetRef {
  ownerId: string | null;
  open: boolean;
  /** Why it is closed, for CONFLICT. */
  closedBecause: string | null;
}

const NAMES: Record<TargetType, string> = { POST: 'Post', LISTING: 'Listing', MACHINE: 'Machine' };

/**
 * Where engagement can attach: its own posts, and listings and machines it has heard of from their
 * owners' events. Unknown or hidden targets are NOT_FOUND, worded alike so nothing leaks.
 */
export class TargetService {
  constructor(
    private readonly posts: PostRepository,
    private readonly replicas: TargetRepository,
  ) {}

  async find(viewer: Viewer, ref: TargetRef): Promise<VisibleTarget | null> {
    if (!isUuid(ref.id)) return null;
    if (ref.type === 'POST') {
      const post = await this.posts.findById(ref.id);
      if (!post || !canSeePost(post, viewer)) return null;
      const open = post.status === 'PUBLISHED';
      return {
        ...ref,
        ownerId: post.authorId,
        open,
        closedBecause: open ? null : `Post ${post.id} is ${post.status.toLowerCase()}: only published posts take comments and reactions.`,
      };
    }
    const [replica] = await this.replicas.findReplicas([ref]);
    if (!replica || !canSeeReplica(replica, viewer)) return null;
    return { ...ref, ownerId: replica.ownerId, open: true, closedBecause: null };
  }

  async require(viewer: Viewer, ref: TargetRef): Promise<VisibleTarget> {
    const target = await this.find(viewer, ref);
    if (!target) throw new NotFoundError(NAMES[ref.type], ref.id);
    return target;
  }

  /** The target when the caller sees it and it takes new engagement; NOT_FOUND or CONFLICT otherwise. */
  async requireOpen(viewer: Viewer, ref: TargetRef): Promise<VisibleTarget> {
    const target = await this.require(viewer, ref);
    if (!target.open) throw new ConflictError(target.closedBecause ?? 'It takes no comments or reactions now.');
    return target;
  }
}
