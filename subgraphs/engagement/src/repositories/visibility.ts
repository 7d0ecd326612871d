import type { Prisma } from '../generated/prisma/client';
import type { Viewer } from '../domain';

/** The visibility rule of `canSeePost` as a filter, so the database returns only what the viewer may see. */
export function visiblePosts(viewer: Viewer): Prisma.PostWhereInput {
  if (viewer?.isAdmin) return {};
  if (viewer) return { OR: [{ status: 'PUBLISHED' }, { authorId: viewer.userId }] };
  return { status: 'PUBLISHED' };
}

/** `canSeeComment` as a filter: the post's rule, and unpublished comments for their author and admins only. */
export function visibleComments(viewer: Viewer): Prisma.CommentWhereInput {
  const own: Prisma.CommentWhereInput = viewer?.isAdmin
    ? {}
    : viewer
      ? { OR: [{ status: 'PUBLISHED' }, { authorId: viewer.userId }] }
      : { status: 'PUBLISHED' };
  return { AND: [{ post: visiblePosts(viewer) }, own] };
}
