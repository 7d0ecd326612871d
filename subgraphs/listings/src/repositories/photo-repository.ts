import type { Db } from '../db';
import { isUuid } from '@market/platform';

export interface PhotoRecord {
  id: string;
  listingId: string;
  storageKey: string;
  contentType: string;
  size: number;
  status: 'PENDING' | 'READY';
  position: number | null;
  createdAt: Date;
  uploadedAt: Date | null;
}

const photoSelect = {
  id: true,
  listingId: true,
  storageKey: true,
  contentType: true,
  size: true,
  status: true,
  position: true,
  createdAt: true,
  uploadedAt: true,
} as const;

/** Listing photos: PENDING until their upload is confirmed, then READY in `position` order (0 = cover). */
export class PhotoRepository {
  constructor(private readonly db: Db) {}

  async find(id: string): Promise<PhotoRecord | null> {
    if (!isUuid(id)) return null;
    return this.db.listingPhoto.findUnique({ where: { id: id.toLowerCase() }, select: photoSelect });
  }

  /** READY photos of many listings, in order, in one query. */
  async readyOf(listingIds: readonly string[]): Promise<PhotoRecord[]> {
    const ids = listingIds.filter(isUuid);
    if (ids.length === 0) return [];
    return this.db.listingPhoto.findMany({
      where: { listingId: { in: ids }, status: 'READY' },
      orderBy: [{ listingId: 'asc' }, { position: 'asc' }],
      select: photoSelect,
    });
  }

  async countOf(listingId: string): Promise<number> {
    return this.db.listingPhoto.count({ where: { listingId } });
  }

  async createPending(photo: {
    id: string;
    listingId: string;
    storageKey: string;
    contentType: string;
    size: number;
  }): Promise<PhotoRecord> {
    return this.db.listingPhoto.create({ data: photo, select: photoSelect });
  }

  /**
   * Marks a PENDING photo READY at the end of its listing's order. The listing's photo rows are
   * locked first (through the listing row), so two confirmations never take the same position.
   */
  async markReady(id: string, at: Date): Promise<PhotoRecord | null> {
    return this.db.$transaction(async (tx) => {
      const [photo] = await tx.$queryRaw<{ listing_id: string; status: string }[]>`
        SELECT listing_id::text AS listing_id, status::text AS status FROM listing_photos WHERE id = ${id}::uuid FOR UPDATE`;
      if (!photo) return null;
      if (photo.status === 'READY') return tx.listingPhoto.findUnique({ where: { id }, select: photoSelect });
      await tx.$queryRaw`SELECT id FROM listings WHERE id = ${photo.listing_id}::uuid FOR UPDATE`;
      const [{ next } = { next: 0 }] = await tx.$queryRaw<{ next: number }[]>`
        SELECT COALESCE(MAX(position) + 1, 0)::int AS next FROM listing_photos WHERE listing_id = ${photo.listing_id}::uuid AND status = 'READY'`;
      return tx.listingPhoto.update({ where: { id }, data: { status: 'READY', position: next, uploadedAt: at }, select: photoSelect });
    });
  }

  /**
   * Puts the listing's READY photos in exactly this order (the first is the cover). Positions move
   * out of the way first, because the (listing, position) key is checked row by row.
   */
  async reorder(listingId: string, orderedIds: readonly string[]): Promise<void> {
    await this.db.$transaction(async (tx) => {
      await tx.$queryRaw`SELECT id FROM listings WHERE id = ${listingId}::uuid FOR UPDATE`;
      await tx.$executeRaw`UPDATE listing_photos SET position = position + 100000 WHERE listing_id = ${listingId}::uuid AND status = 'READY'`;
      await tx.$executeRaw`UPDATE listing_photos p SET position = o.ord - 1
        FROM unnest(${[...orderedIds]}::uuid[]) WITH ORDINALITY AS o(id, ord)
        WHERE p.id = o.id AND p.listing_id = ${listingId}::uuid`;
    });
  }

  /** Deletes the photo and closes the gap it leaves in the order. */
  async delete(photo: PhotoRecord): Promise<void> {
    await this.db.$transaction(async (tx) => {
      await tx.$queryRaw`SELECT id FROM listings WHERE id = ${photo.listingId}::uuid FOR UPDATE`;
      await tx.listingPhoto.delete({ where: { id: photo.id }, select: { id: true } });
      if (photo.position !== null) {
        await tx.$executeRaw`UPDATE listing_photos SET position = position + 100000
          WHERE listing_id = ${photo.listingId}::uuid AND status = 'READY' AND position > ${photo.position}`;
        await tx.$executeRaw`UPDATE listing_photos SET position = position - 100001
          WHERE listing_id = ${photo.listingId}::uuid AND status = 'READY' AND position >= 100000`;
      }
    });
  }
}
