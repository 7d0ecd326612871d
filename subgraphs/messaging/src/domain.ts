/** A user as messaging knows them: only the id (accounts owns the rest). */
export interface UserRef {
  id: string;
}

export interface ConversationRecord {
  id: string;
  createdAt: Date;
  lastMessageAt: Date | null;
}

export interface ParticipantRecord {
  conversationId: string;
  userId: string;
}

export interface MessageRecord {
  id: string;
  conversationId: string;
  senderId: string;
  body: string;
  createdAt: Date;
  /** Set when the text was removed (its sender deleted their account); `body` is then REMOVED_MESSAGE_BODY. */
  removedAt?: Date | null;
}

/** What a removed message reads instead of its text (the database accepts nothing else for one). */
export const REMOVED_MESSAGE_BODY = 'This message was removed.';

export const NOTIFICATION_KINDS = ['WELCOME', 'MESSAGE', 'BOOKING', 'INSTANCE', 'LISTING', 'SYSTEM'] as const;
export type NotificationKind = (typeof NOTIFICATION_KINDS)[number];

export interface NotificationRecord {
  id: string;
  recipientId: string;
  kind: NotificationKind;
  title: string;
  body: string;
  readAt: Date | null;
  createdAt: Date;
}

/** Who may see what: a participant sees their conversations; an admin sees every conversation. */
export interface Viewer {
  userId: string;
  isAdmin: boolean;
}

/** A listing as messaging refers to it: only the id (listings owns the rest). */
export interface ListingRef {
  id: string;
}

/** A user watching a listing. */
export interface WatchRecord {
  userId: string;
  listingId: string;
  createdAt: Date;
}

/** The last state of a listing messaging has seen, from listings' events. */
export interface KnownListingRecord {
  listingId: string;
  ownerId: string;
  title: string;
  kind: 'SALE' | 'RENT';
  status: string;
  price: string | null;
  pricePerNight: string | null;
  currency: string;
  deletedAt: Date | null;
}

/**
 * The listing statuses anyone may see. listings shows the others (DRAFT, ARCHIVED, and any status it
 * adds later) to the owner and admins only, so a status not listed here is treated as hidden.
 */
export const PUBLIC_LISTING_STATUSES: ReadonlySet<string> = new Set(['ACTIVE', 'UNDER_OFFER', 'SOLD', 'RENTED']);

/** Whether this viewer may see the listing, by listings' rule: public statuses for all, the rest for owner and admins. */
export function canSeeListing(viewer: Viewer, listing: Pick<KnownListingRecord, 'ownerId' | 'status' | 'deletedAt'>): boolean {
  if (listing.deletedAt) return false;
  return PUBLIC_LISTING_STATUSES.has(listing.status) || viewer.isAdmin || listing.ownerId === viewer.userId;
}

/** Limits shared by the schema's docs, the services and the tests. */
export const MAX_WATCHED_LISTINGS = 500;
export const MAX_PAGE = 200;
export const MAX_BODY = 4000;
export const MIN_PARTICIPANTS = 2;
export const MAX_PARTICIPANTS = 20;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Ids are uuids; anything else names nothing (and must not reach a uuid column). */
export function isUuid(value: string): boolean {
  return UUID.test(value);
}

/** The canonical key of a two-person conversation: the same whoever starts it. */
export function pairKey(a: string, b: string): string {
  const [x, y] = [a.toLowerCase(), b.toLowerCase()].sort();
  return `${x}:${y}`;
}

/** Someone typing in a conversation: announced live, never stored. */
export interface TypingRecord {
  conversationId: string;
  userId: string;
  at: Date;
}

/**
 * A position in a stream ordered by (createdAt, id): the messages of a conversation, the
 * notifications of a recipient. Both are stamped strictly increasing in commit order within their
 * stream, so "after this position" misses nothing that was committed later.
 */
export interface StreamPosition {
  createdAt: Date;
  id: string;
}

const CURSOR_SEPARATOR = '|';

/** The opaque cursor a client holds: base64url of "<ISO instant>|<id>". */
export function encodeCursor(position: StreamPosition): string {
  return Buffer.from(`${position.createdAt.toISOString()}${CURSOR_SEPARATOR}${position.id}`, 'utf8').toString('base64url');
}

/** The position a cursor names, or null when it is not one this subgraph made. */
export function decodeCursor(cursor: string): StreamPosition | null {
  if (cursor.length > 200 || !/^[A-Za-z0-9_-]+$/.test(cursor)) return null;
  const [iso, id, ...rest] = Buffer.from(cursor, 'base64url').toString('utf8').split(CURSOR_SEPARATOR);
  if (!iso || !id || rest.length > 0 || !isUuid(id)) return null;
  const createdAt = new Date(iso);
  if (Number.isNaN(createdAt.getTime()) || createdAt.toISOString() !== iso) return null;
  return { createdAt, id: id.toLowerCase() };
}
