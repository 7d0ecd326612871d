import type { Db, Tx } from '../db';
import { isUuid, type PostRecord, type Viewer } from '../domain';
import { visiblePosts } from './visibility';

const postSelect = {
  id: true,
  authorId: true,
  listingId: true,
  body: true,
  status: true,
  createdAt: true,
  updatedAt: true,
} as const;

/** Prisma's "record to update not found" (P2025) means the row is gone: null, not a fault. */
async function orNullIfMissing<T>(write: Promise<T>): Promise<T | null> {
  try {
    return await write;
  } catch (err) {
    if ((err as { code?: string }).code === 'P2025') return null;
    throw err;
  }
}

const newestFirst = [{ createdAt: 'desc' }, { id: 'desc' }] as const;

export class PostRepository {
  constructor(private readonly db: Db) {}

  /** The posts among `ids` the viewer may see. */
  async findVisibleByIds(ids: readonly string[], viewer: Viewer): Promise<PostRecord[]> {
    return this.db.post.findMany({
      where: { id: { in: ids.filter(isUuid) }, ...visiblePosts(viewer) },
      select: postSelect,
    });
  }

  /** One post whatever its status; the service decides what the caller may know of it. */
  async findById(id: string): Promise<PostRecord | null> {
    if (!isUuid(id)) return null;
    return this.db.post.findUnique({ where: { id }, select: postSelect });
  }

  async findVisibleByAuthors(authorIds: readonly string[], viewer: Viewer): Promise<PostRecord[]> {
    return this.db.post.findMany({
      where: { authorId: { in: authorIds.filter(isUuid) }, ...visiblePosts(viewer) },
      select: postSelect,
      orderBy: [...newestFirst],
    });
  }

  async findVisibleByListings(listingIds: readonly string[], viewer: Viewer): Promise<PostRecord[]> {
    return this.db.post.findMany({
      where: { listingId: { in: listingIds.filter(isUuid) }, ...visiblePosts(viewer) },
      select: postSelect,
      orderBy: [...newestFirst],
    });
  }

  transaction<T>(fn: (tx: Tx) => Promise<T>): Promise<T> {
    return this.db.$transaction(fn);
  }

  /** `status` is moderation's verdict; `tx` lets moderation open a case in the same transaction. */
  async create(
    input: { authorId: string; listingId: string | null; body: string; status?: PostRecord['status'] },
    tx?: Tx,
  ): Promise<PostRecord> {
    return (tx ?? this.db).post.create({ data: input, select: postSelect });
  }

  /**
   * Changes the body if `authorId` still wrote the post; null when no such post remains. `hold`
   * (moderation held the new text) also sets a published post to HELD.
   */
  async updateBody(id: string, authorId: string, body: string, options: { hold?: boolean; tx?: Tx } = {}): Promise<PostRecord | null> {
    const db = options.tx ?? this.db;
    if (options.hold) await db.post.updateMany({ where: { id, authorId, status: 'PUBLISHED' }, data: { status: 'HELD' } });
    return orNullIfMissing(db.post.update({ where: { id, authorId }, data: { body }, select: postSelect }));
  }

  /** Deletes the post; its comments and reactions go with it (ON DELETE CASCADE). */
  async delete(id: string): Promise<boolean> {
    const { count } = await this.db.post.deleteMany({ where: { id } });
    return count > 0;
  }

  /** Sets a post's status; moderation will call this, tests do now. */
  async setStatus(id: string, status: PostRecord['status']): Promise<PostRecord | null> {
    return orNullIfMissing(this.db.post.update({ where: { id }, data: { status }, select: postSelect }));
  }
}
