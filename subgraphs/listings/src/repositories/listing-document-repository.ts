import type { Tx } from '../db';
import type { Prisma } from '../generated/prisma/client';
import { BROWSABLE_STATUS, isUuid, type ListingStatus } from '../domain';
import type { ListingDocument } from '../search/port';

const documentSelect = {
  id: true,
  ownerId: true,
  title: true,
  description: true,
  kind: true,
  propertyType: true,
  status: true,
  price: true,
  pricePerNight: true,
  currency: true,
  addressLine1: true,
  addressLine2: true,
  city: true,
  neighbourhood: true,
  country: true,
  zipCode: true,
  bedrooms: true,
  bathrooms: true,
  areaSqm: true,
  maxGuests: true,
  instantBook: true,
  amenities: true,
  latitude: true,
  longitude: true,
  createdAt: true,
  updatedAt: true,
} as const;

type DocumentRow = Prisma.ListingGetPayload<{ select: typeof documentSelect }>;

const amount = (value: Prisma.Decimal | null): number | null => (value === null ? null : value.toNumber());

function toDocument(row: DocumentRow): ListingDocument {
  const { latitude, longitude, price, pricePerNight, addressLine1, addressLine2, ...rest } = row;
  return {
    ...rest,
    address: [addressLine1, addressLine2].filter(Boolean).join(', '),
    price: amount(price),
    pricePerNight: amount(pricePerNight),
    location: { lat: latitude, lon: longitude },
  };
}

/** A listing as search sees it, whatever its status. */
export interface ListingState {
  id: string;
  status: ListingStatus;
  updatedAt: Date;
  document: ListingDocument;
}

/** Reads listings as search documents: what the search index is built and kept from. */
export class ListingDocumentRepository {
  /** A Prisma client, or the transaction of the event being handled. */
  constructor(private readonly db: Pick<Tx, 'listing'>) {}

  /** The listings that exist among `ids`, any status. */
  async byIds(ids: readonly string[]): Promise<ListingState[]> {
    const wanted = ids.filter(isUuid);
    if (wanted.length === 0) return [];
    const rows = await this.db.listing.findMany({ where: { id: { in: wanted } }, select: documentSelect });
    return rows.map((row) => ({ id: row.id, status: row.status, updatedAt: row.updatedAt, document: toDocument(row) }));
  }

  async countSearchable(): Promise<number> {
    return this.db.listing.count({ where: { status: BROWSABLE_STATUS } });
  }

  /** Every ACTIVE listing in id order, `batchSize` at a time (keyset pages: no OFFSET scans). */
  async *searchable(batchSize: number): AsyncGenerator<ListingDocument[]> {
    let after: string | null = null;
    for (;;) {
      const rows: DocumentRow[] = await this.db.listing.findMany({
        where: { status: BROWSABLE_STATUS, ...(after ? { id: { gt: after } } : {}) },
        orderBy: { id: 'asc' },
        take: batchSize,
        select: documentSelect,
      });
      if (rows.length > 0) yield rows.map(toDocument);
      if (rows.length < batchSize) return;
      after = rows[rows.length - 1]!.id;
    }
  }
}
