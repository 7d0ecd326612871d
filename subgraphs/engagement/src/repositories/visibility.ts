import type { Prisma } from '../generated/prisma/client';
import type { Viewer } from '../domain';

/** The visibility rule of `canSeePost` as a filter, so the database returns only what the viewer may see. */
export function visiblePosts(viewer: Viewer): Prisma.PostWhereInput {
  if (viewer?.isAdmin) return {};
  if (viewer) return { OR: [{ status: 'PUBLISHED' }, { authorId: viewer.userId }] };
  return { status: 'PUBLISHED' };
}

/** Unpublished items (comments, feedback) are seen by their author and admins only. */
function ownOrPublished(viewer: Viewer) {
  return viewer?.isAdmin
    ? {}
    : viewer
      ? { OR: [{ status: 'PUBLISHED' as const }, { authorId: viewer.userId }] }
      : { status: 'PUBLISHED' as const };
}

/**
 * `canSeeComment` as a filter: the post's rule for comments on posts, and unpublished comments for
 * their author and admins only. Listings' and machines' own visibility is checked where they are read.
 */
export function visibleComments(viewer: Viewer): Prisma.CommentWhereInput {
  // Admins see everything (an empty relation filter would not match items that are on no post).
  if (viewer?.isAdmin) return {};
  return { AND: [{ OR: [{ postId: null }, { post: { is: visiblePosts(viewer) } }] }, ownOrPublished(viewer)] };
}

export function visibleFeedback(viewer: Viewer): Prisma.FeedbackWhereInput {
  if (viewer?.isAdmin) return {};
  return { AND: [{ OR: [{ postId: null }, { post: { is: visiblePosts(viewer) } }] }, ownOrPublished(viewer)] };
}
