import { randomUUID } from 'node:crypto';
import {
  BadUserInputError,
  ForbiddenError,
  NotFoundError,
  isUuid,
  requireUser,
  type AuthContext,
  type Logger,
  type ObjectStorage,
  type PresignedUpload,
} from '@market/platform';
import type { ListingRecord } from '../domain';
import { canManage, canSee } from '../rules/access';
import type { ListingDetailCache } from '../repositories/listing-detail-cache';
import type { PhotoRecord, PhotoRepository } from '../repositories/photo-repository';
import { viewerOf } from '../viewer';

/** What a listing may show, like the old 30 image URLs. */
export const MAX_PHOTOS = 30;
const UPLOAD_URL_SECONDS = 15 * 60;
const EXTENSIONS: Record<string, string> = { 'image/jpeg': 'jpg', 'image/png': 'png', 'image/webp': 'webp' };

export interface PhotoView extends PhotoRecord {
  url: string;
}

export type ConfirmPhotoOutcome =
  ({ __typename: 'ListingPhoto' } & PhotoView) | { __typename: 'PhotoNotUploaded'; photoId: string; message: string };

/** Photos of listings: upload URLs, confirmation, order and cover, and what `Listing.photos` shows. */
export class PhotoService {
  constructor(
    private readonly photos: PhotoRepository,
    private readonly storage: ObjectStorage,
    private readonly details: ListingDetailCache,
    private readonly maxBytes: number,
    private readonly logger: Logger,
  ) {}

  view(photo: PhotoRecord): PhotoView {
    return { ...photo, url: this.storage.publicUrl(photo.storageKey) };
  }

  async requestUpload(
    ctx: AuthContext,
    args: { listingId: string; contentType: string; size: number },
  ): Promise<{ photo: PhotoView; upload: PresignedUpload }> {
    const listing = await this.managed(ctx, args.listingId);
    const extension = EXTENSIONS[args.contentType];
    const fields: Record<string, string[]> = {};
    if (!extension) fields['contentType'] = [`must be one of ${Object.keys(EXTENSIONS).join(', ')}`];
    if (!Number.isInteger(args.size) || args.size < 1 || args.size > this.maxBytes)
      fields['size'] = [`must be between 1 and ${this.maxBytes} bytes`];
    if (Object.keys(fields).length > 0) throw new BadUserInputError('This photo cannot be uploaded.', fields);
    if ((await this.photos.countOf(listing.id)) >= MAX_PHOTOS) {
      throw new BadUserInputError(`A listing has at most ${MAX_PHOTOS} photos; delete one first.`, {
        listingId: [`has ${MAX_PHOTOS} photos already`],
      });
    }
    const id = randomUUID();
    const storageKey = `listings/${listing.id}/${id}.${extension}`;
    const upload = await this.storage.presignPut({
      key: storageKey,
      contentType: args.contentType,
      size: args.size,
      expiresInSeconds: UPLOAD_URL_SECONDS,
    });
    const photo = await this.photos.createPending({
      id,
      listingId: listing.id,
      storageKey,
      contentType: args.contentType,
      size: args.size,
    });
    return { photo: this.view(photo), upload };
  }

  /** After the client's PUT: READY at the end of the order once the object is in the store. */
  async confirm(ctx: AuthContext, photoId: string): Promise<ConfirmPhotoOutcome> {
    const photo = await this.ownPhoto(ctx, photoId);
    if (photo.status === 'PENDING' && !(await this.storage.exists(photo.storageKey))) {
      return {
        __typename: 'PhotoNotUploaded',
        photoId: photo.id,
        message: 'The photo has not arrived yet: PUT it to the upload URL, then confirm.',
      };
    }
    const ready = await this.photos.markReady(photo.id, new Date());
    if (!ready) throw new NotFoundError('ListingPhoto', photoId);
    return { __typename: 'ListingPhoto', ...this.view(ready) };
  }

  /** `photoIds` must name every READY photo of the listing once; the first becomes the cover. */
  async reorder(ctx: AuthContext, listingId: string, photoIds: readonly string[]): Promise<PhotoView[]> {
    const listing = await this.managed(ctx, listingId);
    const current = await this.photos.readyOf([listing.id]);
    const wanted = photoIds.map((id) => id.toLowerCase());
    const same = wanted.length === current.length && new Set(wanted).size === wanted.length && current.every((p) => wanted.includes(p.id));
    if (!same)
      throw new BadUserInputError('Name every photo of the listing once.', {
        photoIds: ['must list each uploaded photo of the listing exactly once'],
      });
    await this.photos.reorder(listing.id, wanted);
    return (await this.photos.readyOf([listing.id])).map((p) => this.view(p));
  }

  /** Moves one photo to the front (the cover), the others keeping their order. */
  async setCover(ctx: AuthContext, listingId: string, photoId: string): Promise<PhotoView[]> {
    const listing = await this.managed(ctx, listingId);
    const current = await this.photos.readyOf([listing.id]);
    const cover = current.find((p) => p.id === photoId.toLowerCase());
    if (!cover) throw new NotFoundError('ListingPhoto', photoId);
    return this.reorder(ctx, listing.id, [cover.id, ...current.filter((p) => p.id !== cover.id).map((p) => p.id)]);
  }

  async delete(ctx: AuthContext, photoId: string): Promise<true> {
    const photo = await this.ownPhoto(ctx, photoId);
    await this.photos.delete(photo);
    // The row is gone first: a leftover object is only storage, never a broken photo on a listing.
    await this.storage
      .remove(photo.storageKey)
      .catch((err: unknown) => this.logger.warn({ err, key: photo.storageKey }, 'removing a photo object failed'));
    return true;
  }

  private async ownPhoto(ctx: AuthContext, photoId: string): Promise<PhotoRecord> {
    requireUser(ctx);
    const photo = isUuid(photoId) ? await this.photos.find(photoId) : null;
    if (!photo) throw new NotFoundError('ListingPhoto', photoId);
    await this.managed(ctx, photo.listingId, () => new NotFoundError('ListingPhoto', photoId));
    return photo;
  }

  private async managed(
    ctx: AuthContext,
    listingId: string,
    hidden: () => Error = () => new NotFoundError('Listing', listingId),
  ): Promise<ListingRecord> {
    requireUser(ctx);
    const [listing] = isUuid(listingId) ? await this.details.findByIds([listingId.toLowerCase()]) : [];
    const viewer = viewerOf(ctx);
    if (!listing || !canSee(viewer, listing)) throw hidden();
    if (!canManage(viewer, listing)) throw new ForbiddenError("Only the listing's owner or an admin can change its photos.");
    return listing;
  }
}
