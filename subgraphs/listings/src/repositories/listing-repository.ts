import type { Db, Tx } from '../db';
import { Prisma } from '../generated/prisma/client';
import { isUuid } from '@market/platform';
import {
  ACCOUNT_DELETED,
  BROWSABLE_STATUS,
  type ListingCursor,
  type ListingData,
  type ListingRecord,
  type ListingSearch,
  type Amenity,
} from '../domain';
import type { Viewer } from '../viewer';
import { publishListingDeleted, publishListingUpserted } from '../events/published';
import { DeletedOwnerRepository } from './deleted-owner-repository';

const listingSelect = {
  id: true,
  ownerId: true,
  title: true,
  description: true,
  kind: true,
  propertyType: true,
  price: true,
  currency: true,
  addressLine1: true,
  addressLine2: true,
  city: true,
  region: true,
  country: true,
  zipCode: true,
  neighbourhood: true,
  bedrooms: true,
  bathrooms: true,
  toilets: true,
  areaSqm: true,
  amenities: true,
  latitude: true,
  longitude: true,
  images: true,
  status: true,
  pricePerNight: true,
  maxGuests: true,
  timeZone: true,
  cleaningFee: true,
  minNights: true,
  maxNights: true,
  instantBook: true,
  weeklyDiscountPercent: true,
  monthlyDiscountPercent: true,
  cancellationPolicy: true,
  version: true,
  createdAt: true,
  updatedAt: true,
} as const;

type ListingRow = Prisma.ListingGetPayload<{ select: typeof listingSelect }>;

/** Newest first; id breaks ties so the order is total and pages never overlap. */
const newestFirst = [{ createdAt: 'desc' }, { id: 'desc' }] as const satisfies Prisma.ListingOrderByWithRelationInput[];

const money = (value: Prisma.Decimal | null): string | null => (value === null ? null : value.toFixed(2));

function toRecord(row: ListingRow): ListingRecord {
  return {
    id: row.id,
    ownerId: row.ownerId,
    title: row.title,
    description: row.description,
    kind: row.kind,
    propertyType: row.propertyType,
    price: money(row.price),
    currency: row.currency,
    address: {
      line1: row.addressLine1,
      line2: row.addressLine2,
      city: row.city,
      region: row.region,
      country: row.country,
    },
    zipCode: row.zipCode,
    neighbourhood: row.neighbourhood,
    bedrooms: row.bedrooms,
    bathrooms: row.bathrooms,
    toilets: row.toilets,
    areaSqm: row.areaSqm,
    // Validated on the way in (AMENITIES); the column is plain text[].
    amenities: row.amenities as Amenity[],
    location: { latitude: row.latitude, longitude: row.longitude },
    images: row.images,
    status: row.status,
    pricePerNight: money(row.pricePerNight),
    maxGuests: row.maxGuests,
    timeZone: row.timeZone,
    cleaningFee: money(row.cleaningFee),
    minNights: row.minNights,
    maxNights: row.maxNights,
    instantBook: row.instantBook,
    weeklyDiscountPercent: row.weeklyDiscountPercent,
    monthlyDiscountPercent: row.monthlyDiscountPercent,
    cancellationPolicy: row.cancellationPolicy,
    version: row.version,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
  };
}

function toColumns(data: ListingData) {
  // An update passes the merged record: its id, owner, version and timestamps are never written from
  // it (a stale updatedAt written back would freeze the version search orders writes by).
  const { address, location, ...fields } = data;
  const {
    id: _id,
    ownerId: _ownerId,
    version: _version,
    createdAt: _createdAt,
    updatedAt: _updatedAt,
    ...rest
  } = fields as typeof fields & Partial<Record<'id' | 'ownerId' | 'version' | 'createdAt' | 'updatedAt', unknown>>;
  return {
    ...rest,
    addressLine1: address.line1,
    addressLine2: address.line2,
    city: address.city,
    region: address.region,
    country: address.country,
    latitude: location.latitude,
    longitude: location.longitude,
  } satisfies Omit<Prisma.ListingUncheckedCreateInput, 'ownerId'>;
}

function priceBetween(search: ListingSearch): Prisma.ListingWhereInput | null {
  if (search.minPrice === undefined && search.maxPrice === undefined) return null;
  const range = { gte: search.minPrice, lte: search.maxPrice };
  const sale: Prisma.ListingWhereInput = { kind: 'SALE', price: range };
  const rent: Prisma.ListingWhereInput = { kind: 'RENT', pricePerNight: range };
  if (search.kind === 'SALE') return sale;
  if (search.kind === 'RENT') return rent;
  return { OR: [sale, rent] };
}

function priceChanged(before: ListingRecord, after: ListingRecord): boolean {
  return (
    before.kind !== after.kind ||
    before.price !== after.price ||
    before.pricePerNight !== after.pricePerNight ||
    before.currency !== after.currency
  );
}

/** The listing's price history gains its current price, in the writing transaction. */
async function recordPrice(tx: Tx, listing: ListingRecord): Promise<void> {
  await tx.listingPriceChange.create({
    data: {
      listingId: listing.id,
      kind: listing.kind,
      price: listing.price,
      pricePerNight: listing.pricePerNight,
      currency: listing.currency,
      changedAt: listing.updatedAt,
    },
    select: { id: true },
  });
}

export interface PriceChangeRecord {
  listingId: string;
  kind: ListingRecord['kind'];
  price: string | null;
  pricePerNight: string | null;
  currency: string;
  changedAt: Date;
}

export class ListingRepository {
  constructor(private readonly db: Db) {}

  async findByIds(ids: readonly string[]): Promise<ListingRecord[]> {
    const wanted = ids.filter(isUuid);
    if (wanted.length === 0) return [];
    const rows = await this.db.listing.findMany({ where: { id: { in: wanted } }, select: listingSelect });
    return rows.map(toRecord);
  }

  /** Listings of many owners in one query, newest first; others' non-ACTIVE listings are left out. */
  async findByOwners(ownerIds: readonly string[], viewer: Viewer): Promise<ListingRecord[]> {
    const visible: Prisma.ListingWhereInput = viewer.isAdmin
      ? {}
      : { OR: [{ status: BROWSABLE_STATUS }, ...(viewer.userId && isUuid(viewer.userId) ? [{ ownerId: viewer.userId }] : [])] };
    const owners = ownerIds.filter(isUuid);
    if (owners.length === 0) return [];
    const rows = await this.db.listing.findMany({
      where: { ownerId: { in: owners }, ...visible },
      orderBy: newestFirst,
      select: listingSelect,
    });
    return rows.map(toRecord);
  }

  /** Up to `take` ACTIVE listings matching the search, newest first, strictly after `after`. */
  async browse(search: ListingSearch, after: ListingCursor | null, take: number): Promise<ListingRecord[]> {
    const where: Prisma.ListingWhereInput[] = [{ status: BROWSABLE_STATUS }];
    if (search.kind) where.push({ kind: search.kind });
    if (search.propertyType) where.push({ propertyType: search.propertyType });
    if (search.city) where.push({ city: { equals: search.city, mode: 'insensitive' } });
    if (search.minBedrooms !== undefined) where.push({ bedrooms: { gte: search.minBedrooms } });
    const price = priceBetween(search);
    if (price) where.push(price);
    if (after) {
      where.push({
        OR: [{ createdAt: { lt: after.createdAt } }, { createdAt: after.createdAt, id: { lt: after.id } }],
      });
    }
    const rows = await this.db.listing.findMany({ where: { AND: where }, orderBy: newestFirst, take, select: listingSelect });
    return rows.map(toRecord);
  }

  /**
   * Creates the listing and its `listings.listing.upserted` event in one transaction, unless the
   * owner's account was deleted (see DeletedOwnerRepository for why that is checked in here).
   */
  async create(ownerId: string, data: ListingData): Promise<ListingRecord | typeof ACCOUNT_DELETED> {
    return this.db.$transaction(async (tx) => {
      if (await new DeletedOwnerRepository(tx).isDeleted(ownerId)) return ACCOUNT_DELETED;
      const listing = toRecord(await tx.listing.create({ data: { ...toColumns(data), ownerId }, select: listingSelect }));
      await recordPrice(tx, listing);
      await publishListingUpserted(tx, listing);
      return listing;
    });
  }

  /**
   * Locks the listing, lets `decide` turn its current state into the new one (or throw), then writes
   * it, one version up, with its `listings.listing.upserted` event, all in one transaction. Null when
   * there is no such listing; ACCOUNT_DELETED, before anything else, when the writer's account was.
   */
  async update(
    id: string,
    writerId: string,
    decide: (current: ListingRecord) => ListingData,
  ): Promise<ListingRecord | typeof ACCOUNT_DELETED | null> {
    return this.db.$transaction(async (tx) => {
      if (await new DeletedOwnerRepository(tx).isDeleted(writerId)) return ACCOUNT_DELETED;
      const current = await this.lockedById(tx, id);
      if (!current) return null;
      const next = decide(current);
      const listing = toRecord(
        await tx.listing.update({ where: { id }, data: { ...toColumns(next), version: { increment: 1 } }, select: listingSelect }),
      );
      if (priceChanged(current, listing)) await recordPrice(tx, listing);
      await publishListingUpserted(tx, listing);
      return listing;
    });
  }

  /**
   * Locks the listing, lets `authorize` throw to refuse, then deletes it with its
   * `listings.listing.deleted` event in one transaction. Its last state, or null when there is no
   * such listing; ACCOUNT_DELETED, before anything else, when the writer's account was.
   */
  async delete(
    id: string,
    writerId: string,
    authorize: (current: ListingRecord) => void,
  ): Promise<ListingRecord | typeof ACCOUNT_DELETED | null> {
    return this.db.$transaction(async (tx) => {
      if (await new DeletedOwnerRepository(tx).isDeleted(writerId)) return ACCOUNT_DELETED;
      const current = await this.lockedById(tx, id);
      if (!current) return null;
      authorize(current);
      await tx.listing.delete({ where: { id }, select: { id: true } });
      await publishListingDeleted(tx, current);
      return current;
    });
  }

  /**
   * Everything listings holds about a user who deleted their account, inside the caller's
   * transaction: their listings are deleted, each with its `listings.listing.deleted` event (search,
   * bookings, messaging and engagement follow it), and the earlier events of those listings leave
   * the outbox (their payloads name the owner and the listing; the deletion events take their place).
   * Returns the listings as they were, newest first.
   */
  static async deleteAllOfOwner(tx: Tx, ownerId: string): Promise<ListingRecord[]> {
    if (!isUuid(ownerId)) return [];
    // Locked in one order, like a single-listing write, so a concurrent update waits and then finds nothing.
    await tx.$queryRaw`SELECT id FROM listings WHERE owner_id = ${ownerId}::uuid ORDER BY id FOR UPDATE`;
    const rows = await tx.listing.findMany({ where: { ownerId }, orderBy: newestFirst, select: listingSelect });
    if (rows.length === 0) return [];
    const listings = rows.map(toRecord);
    const ids = listings.map((l) => l.id);
    await tx.listing.deleteMany({ where: { id: { in: ids } } });
    await tx.outboxEvent.deleteMany({ where: { aggregateId: { in: ids } } });
    for (const listing of listings) await publishListingDeleted(tx, listing);
    return listings;
  }

  /**
   * Up to `take` listings in id order, after the listing `after` and updated since `updatedSince`
   * (each optional), share-locked until the caller's transaction ends: a write in flight commits
   * first and is read, a later one waits, so what the caller publishes from them is never older
   * than the listing. Also returns the last id locked, where the next page starts.
   */
  static async lockedPageById(
    tx: Tx,
    page: { after: string | null; updatedSince: Date | null; take: number },
  ): Promise<{ listings: ListingRecord[]; lastId: string | null }> {
    const after = page.after !== null && isUuid(page.after) ? page.after : null;
    const locked = await tx.$queryRaw<{ id: string }[]>`
      SELECT id::text AS id FROM listings
      WHERE (${after}::uuid IS NULL OR id > ${after}::uuid)
        AND (${page.updatedSince}::timestamptz IS NULL OR updated_at >= ${page.updatedSince}::timestamptz)
      ORDER BY listings.id
      LIMIT ${page.take}
      FOR SHARE`;
    const ids = locked.map((r) => r.id);
    if (ids.length === 0) return { listings: [], lastId: null };
    // Read after the lock was granted: the committed state of each, not the one the lock waited on.
    const rows = await tx.listing.findMany({ where: { id: { in: ids } }, orderBy: { id: 'asc' }, select: listingSelect });
    return { listings: rows.map(toRecord), lastId: ids.at(-1) ?? null };
  }

  /** A listing as it stands inside the caller's transaction (consumers read with the connection they hold). */
  static async findByIdIn(tx: Tx, id: string): Promise<ListingRecord | null> {
    if (!isUuid(id)) return null;
    const row = await tx.listing.findUnique({ where: { id }, select: listingSelect });
    return row ? toRecord(row) : null;
  }

  /** The price histories of many listings in one query, oldest first. */
  async priceHistories(ids: readonly string[]): Promise<PriceChangeRecord[]> {
    const wanted = ids.filter(isUuid);
    if (wanted.length === 0) return [];
    const rows = await this.db.listingPriceChange.findMany({
      where: { listingId: { in: wanted } },
      orderBy: [{ changedAt: 'asc' }, { id: 'asc' }],
      select: { listingId: true, kind: true, price: true, pricePerNight: true, currency: true, changedAt: true },
    });
    return rows.map((r) => ({ ...r, price: money(r.price), pricePerNight: money(r.pricePerNight) }));
  }

  /** How many listings were updated since `updatedSince` (all of them when null). */
  async countUpdatedSince(updatedSince: Date | null): Promise<number> {
    return this.db.listing.count({ where: updatedSince ? { updatedAt: { gte: updatedSince } } : {} });
  }

  private async lockedById(tx: Tx, id: string): Promise<ListingRecord | null> {
    // Not a uuid: no such listing (and kept away from the ::uuid cast).
    if (!isUuid(id)) return null;
    // Serializes concurrent writers of one listing, so each validates against the state it replaces.
    const locked = await tx.$queryRaw<{ id: string }[]>`SELECT id FROM listings WHERE id = ${id}::uuid FOR UPDATE`;
    if (locked.length === 0) return null;
    const row = await tx.listing.findUnique({ where: { id }, select: listingSelect });
    return row ? toRecord(row) : null;
  }
}
