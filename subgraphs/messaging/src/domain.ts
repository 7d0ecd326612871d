import { encodeCursor as encodeCursorParts, encodePosition, readCursor, readPosition } from '@market/platform';

/** A user as messaging knows them: only the id (accounts owns the rest). */
export interface UserRef {
  id: string;
}

export const CONTEXT_KINDS = ['LISTING', 'STAY', 'VIEWING', 'AUCTION', 'INSTANCE'] as const;
export type ContextKind = (typeof CONTEXT_KINDS)[number];

export interface ConversationRecord {
  id: string;
  createdAt: Date;
  lastMessageAt: Date | null;
  title: string | null;
  isGroup: boolean;
  creatorId: string | null;
  contextKind: string | null;
  contextId: string | null;
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
  editedAt?: Date | null;
  /** Set when its sender deleted it; `body` is then DELETED_MESSAGE_BODY. */
  deletedAt?: Date | null;
}

/** A file uploaded into a conversation; `messageId` is null until it is sent. */
export interface AttachmentRecord {
  id: string;
  conversationId: string;
  uploaderId: string;
  messageId: string | null;
  storageKey: string;
  fileName: string;
  contentType: string;
  size: number;
  createdAt: Date;
}

/** What a message its sender deleted reads instead (the database accepts nothing else for one). */
export const DELETED_MESSAGE_BODY = 'This message was deleted.';

/** What a removed message reads instead of its text (the database accepts nothing else for one). */
export const REMOVED_MESSAGE_BODY = 'This message was removed.';

/** How many characters of a message a MESSAGE notification shows. */
const PREVIEW_LENGTH = 140;

/** The start of a message as a MESSAGE notification quotes it. */
export function previewOf(body: string): string {
  return body.length > PREVIEW_LENGTH ? `${body.slice(0, PREVIEW_LENGTH - 1)}…` : body;
}

export const NOTIFICATION_KINDS = ['WELCOME', 'MESSAGE', 'BOOKING', 'INSTANCE', 'LISTING', 'SYSTEM', 'AUCTION', 'MODERATION'] as const;
export type NotificationKind = (typeof NOTIFICATION_KINDS)[number];

export interface NotificationRecord {
  id: string;
  recipientId: string;
  kind: NotificationKind;
  title: string;
  body: string;
  readAt: Date | null;
  createdAt: Date;
  /** How many facts it stands for (coalesced MESSAGE notifications); 1 when not stored with one. */
  count?: number;
  conversationId?: string | null;
}

export const INBOX_UPDATE_KINDS = ['MESSAGE_ADDED', 'MESSAGE_EDITED', 'MESSAGE_DELETED', 'READ'] as const;
export type InboxUpdateKind = (typeof INBOX_UPDATE_KINDS)[number];

/** One change in a user's inbox, numbered per user (`seq`, in commit order). */
export interface InboxUpdateRecord {
  userId: string;
  seq: number;
  kind: InboxUpdateKind;
  conversationId: string;
  messageId: string | null;
  actorId: string;
  createdAt: Date;
  /**
   * What the live event carries, computed once per change for all members instead of once per
   * subscriber: the message (added, edited, deleted; for READ the one read up to) and the user's
   * counts right after the change. Absent on catch-up pages (resolved then).
   */
  message?: MessageRecord | null;
  unreadCount?: number;
  totalUnread?: number;
}

/** How far one member read a conversation. */
export interface ReadReceiptRecord {
  conversationId: string;
  userId: string;
  lastReadMessageId: string | null;
  readMarkedAt: Date | null;
}

/** One Relay-style page of messages. */
export interface MessageConnectionRecord {
  messages: MessageRecord[];
  hasNextPage: boolean;
  hasPreviousPage: boolean;
}

export interface BroadcastRecord {
  id: string;
  audience: 'USER' | 'ROLE' | 'EVERYONE';
  title: string;
  body: string;
  sentCount: number;
  createdAt: Date;
  finishedAt: Date | null;
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
/** A group has at most this many members (the schema documents it). */
export const MAX_PARTICIPANTS = 20;
export const MAX_TITLE = 100;
export const MAX_SEARCH_RESULTS = 100;

// Ids are uuids; anything else names nothing (and must not reach a uuid column). The check is the
// platform's; it stays importable from here for this subgraph's files.
export { isUuid } from '@market/platform';

/** The canonical key of a two-person conversation (about a context, if any): the same whoever starts it. */
export function pairKey(a: string, b: string, context?: { kind: string; id: string } | null): string {
  const [x, y] = [a.toLowerCase(), b.toLowerCase()].sort();
  return context ? `${x}:${y}|${context.kind}:${context.id.toLowerCase()}` : `${x}:${y}`;
}

/** An inbox cursor: the update's number in its user's stream, opaque to clients. */
export function encodeInboxCursor(seq: number): string {
  return encodeCursorParts(['inbox', seq]);
}

export function decodeInboxCursor(cursor: string): number | null {
  const seq = readCursor(cursor, (content) =>
    Array.isArray(content) && content.length === 2 && content[0] === 'inbox' ? content[1] : undefined,
  );
  return Number.isSafeInteger(seq) && (seq as number) >= 0 ? (seq as number) : null;
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

/** The opaque cursor a client holds: the platform's position cursor. */
export function encodeCursor(position: StreamPosition): string {
  return encodePosition(position);
}

/** The position a cursor names, or null when it is not one this subgraph made. */
export function decodeCursor(cursor: string): StreamPosition | null {
  const position = readPosition(cursor);
  return position ? { createdAt: position.createdAt, id: position.id.toLowerCase() } : null;
}

/** One notification's delivery on one channel, as `Notification.deliveries` shows it. */
export interface DeliveryView {
  notificationId: string | null;
  channel: 'EMAIL' | 'SMS' | 'PUSH';
  status: 'PENDING' | 'SENDING' | 'SENT' | 'FAILED' | 'SKIPPED';
  attempts: number;
  lastError: string | null;
  sentAt: Date | null;
  nextAttemptAt: Date;
}
