import type { Prisma } from '../generated/prisma/client';
import type { Viewer } from '../domain';

/** The visibility rule of `canSeePost` as a filter, so the database returns only what the viewer may see. */
export function visiblePosts(viewer: Viewer): Prisma.PostWhereInput {
  if (viewer?.isAdmin) return {};
  if (viewer) return { OR: [{ status: 'PUBLISHED' }, { authorId: viewer.userId }] };
  return { status: 'PUBLISHED' };
}
