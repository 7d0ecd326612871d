import type { Identity } from '@market/platform';

export const POST_STATUSES = ['PUBLISHED', 'HELD', 'HIDDEN', 'REMOVED'] as const;
export type PostStatus = (typeof POST_STATUSES)[number];

export const REACTION_KINDS = ['LIKE', 'LOVE', 'LAUGH', 'WOW', 'SAD', 'ANGRY'] as const;
export type ReactionKind = (typeof REACTION_KINDS)[number];

export interface PostRecord {
  id: string;
  authorId: string;
  listingId: string | null;
  body: string;
  status: PostStatus;
  createdAt: Date;
  updatedAt: Date;
}

export interface CommentRecord {
  id: string;
  postId: string;
  authorId: string;
  body: string;
  /** PUBLISHED, HELD or REMOVED: moderation's say on the comment itself. */
  status: PostStatus;
  createdAt: Date;
}

export type ModerationTargetType = 'POST' | 'COMMENT';
export type ModerationSource = 'AUTOMATIC' | 'REPORTS' | 'APPEAL' | 'ADMIN';

/** One review of one item (see prisma's ModerationCase). */
export interface ModerationCaseRecord {
  id: string;
  postId: string | null;
  commentId: string | null;
  authorId: string;
  source: ModerationSource;
  status: 'OPEN' | 'APPROVED' | 'REMOVED';
  reasons: string[];
  spamScore: number | null;
  appeal: string | null;
  createdAt: Date;
  decidedAt: Date | null;
}

export interface ModerationReportRecord {
  postId: string | null;
  commentId: string | null;
  reporterId: string;
  reason: string;
  createdAt: Date;
}

export interface ReactionRecord {
  id: string;
  postId: string;
  userId: string;
  kind: ReactionKind;
  createdAt: Date;
}

export interface ReactionCountRecord {
  postId: string;
  kind: ReactionKind;
  count: number;
}

/** A reference to an entity another subgraph owns: the gateway fetches the rest from there. */
export interface UserRef {
  id: string;
}
export interface ListingRef {
  id: string;
}

/** Whoever reads: decides which posts they may see. Null when signed out. */
export type Viewer = { userId: string; isAdmin: boolean } | null;

export function viewerOf(identity: Identity | null): Viewer {
  return identity ? { userId: identity.userId, isAdmin: identity.role === 'ADMIN' } : null;
}

/** Published posts are public; the others are seen by their author and by admins only. */
export function canSeePost(post: Pick<PostRecord, 'authorId' | 'status'>, viewer: Viewer): boolean {
  return post.status === 'PUBLISHED' || (viewer !== null && (viewer.isAdmin || viewer.userId === post.authorId));
}

/** A comment is seen where its post is, and, unless published, only by its author and admins. */
export function canSeeComment(
  comment: Pick<CommentRecord, 'authorId' | 'status'>,
  post: Pick<PostRecord, 'authorId' | 'status'>,
  viewer: Viewer,
): boolean {
  return (
    canSeePost(post, viewer) &&
    (comment.status === 'PUBLISHED' || (viewer !== null && (viewer.isAdmin || viewer.userId === comment.authorId)))
  );
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Every id here is a uuid; anything else cannot name a row, so it is never sent to the database. */
export function isUuid(value: string): boolean {
  return UUID.test(value);
}

/** A position in a list ordered by (createdAt, id). */
export interface Position {
  createdAt: Date;
  id: string;
}

/** Cursors are opaque to clients: base64url of the position, so the ordering can change without breaking them. */
export function encodeCursor(position: Position): string {
  return Buffer.from(`${position.createdAt.toISOString()}|${position.id}`, 'utf8').toString('base64url');
}

/** The position a cursor names, or null when the string is not a cursor this service made. */
export function decodeCursor(cursor: string): Position | null {
  const text = Buffer.from(cursor, 'base64url').toString('utf8');
  const [iso, id, ...rest] = text.split('|');
  if (rest.length > 0 || !iso || !id || !isUuid(id)) return null;
  const createdAt = new Date(iso);
  if (Number.isNaN(createdAt.getTime()) || createdAt.toISOString() !== iso) return null;
  return { createdAt, id };
}

/** Most frequent first; ties in the order the kinds are declared, so the list is stable. */
export function sortReactionCounts<T extends { kind: ReactionKind; count: number }>(counts: T[]): T[] {
  return [...counts].sort((a, b) => b.count - a.count || REACTION_KINDS.indexOf(a.kind) - REACTION_KINDS.indexOf(b.kind));
}
