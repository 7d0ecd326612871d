import { encodePosition, readPosition, type Identity, type Position } from '@market/platform';

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

/** What comments, reactions and feedback attach to. */
export const TARGET_TYPES = ['POST', 'LISTING', 'MACHINE'] as const;
export type TargetType = (typeof TARGET_TYPES)[number];

export interface TargetRef {
  type: TargetType;
  id: string;
}

/** The key loaders and counters use for a target. */
export const targetKey = (type: TargetType, id: string) => `${type}:${id}`;

export interface CommentRecord {
  id: string;
  targetType: TargetType;
  targetId: string;
  /** The target id when the target is a post, else null. */
  postId: string | null;
  /** The top-level comment this one replies to, or null. */
  parentId: string | null;
  authorId: string;
  /** Empty once deleted. */
  body: string;
  /** PUBLISHED, HELD or REMOVED: moderation's say on the comment itself. */
  status: PostStatus;
  createdAt: Date;
  updatedAt: Date;
  deletedAt: Date | null;
}

export interface FeedbackRecord {
  id: string;
  targetType: TargetType;
  targetId: string;
  postId: string | null;
  authorId: string;
  rating: number;
  body: string;
  status: PostStatus;
  createdAt: Date;
  updatedAt: Date;
}

/** The average and number of published ratings of a target (or a listing's visible reviews). */
export interface RatingSummary {
  average: number | null;
  count: number;
}

export type CommentConnectionRecord = Connection<CommentRecord>;

/** A target's rating summary, with the target so `latest` can load its entries. */
export interface FeedbackSummaryRecord extends RatingSummary {
  target: TargetRef;
}

/** A page in Relay's shape. */
export interface Connection<T> {
  edges: { cursor: string; node: T }[];
  pageInfo: { hasNextPage: boolean; hasPreviousPage: boolean; startCursor: string | null; endCursor: string | null };
}

export type ModerationTargetType = 'POST' | 'COMMENT' | 'FEEDBACK';
export type ModerationSource = 'AUTOMATIC' | 'REPORTS' | 'APPEAL' | 'ADMIN';

/** One review of one item (see prisma's ModerationCase). */
export interface ModerationCaseRecord {
  id: string;
  postId: string | null;
  commentId: string | null;
  feedbackId: string | null;
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
  feedbackId: string | null;
  reporterId: string;
  reason: string;
  createdAt: Date;
}

export interface ReactionRecord {
  id: string;
  targetType: TargetType;
  targetId: string;
  postId: string | null;
  userId: string;
  kind: ReactionKind;
  createdAt: Date;
}

export interface ReactionCountRecord {
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
export interface MachineRef {
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

/**
 * A comment (or feedback) is seen where its target is (`post`: the post it is on; null for other
 * targets, whose visibility the caller checked), and, unless published, only by its author and admins.
 */
export function canSeeComment(
  comment: Pick<CommentRecord, 'authorId' | 'status'>,
  post: Pick<PostRecord, 'authorId' | 'status'> | null,
  viewer: Viewer,
): boolean {
  return (
    (post === null || canSeePost(post, viewer)) &&
    (comment.status === 'PUBLISHED' || (viewer !== null && (viewer.isAdmin || viewer.userId === comment.authorId)))
  );
}

/** A listing in one of these is seen by its owner and admins only (as listings decides). */
export const PRIVATE_LISTING_STATUSES = ['DRAFT', 'ARCHIVED'];

/** Whether the viewer may see a listing or machine engagement knows from events. */
export function canSeeReplica(replica: { targetType: TargetType; ownerId: string | null; status: string }, viewer: Viewer): boolean {
  if (replica.status === 'DELETED') return false;
  if (replica.targetType !== 'LISTING' || !PRIVATE_LISTING_STATUSES.includes(replica.status)) return true;
  return viewer !== null && (viewer.isAdmin || viewer.userId === replica.ownerId);
}

// Every id here is a uuid; anything else cannot name a row, so it is never sent to the database.
// The check and the position are the platform's; they stay importable from here for this subgraph's files.
export { isUuid } from '@market/platform';
export type { Position };

/** Cursors are opaque to clients: the platform's position cursor for a list ordered by (createdAt, id). */
export function encodeCursor(position: Position): string {
  return encodePosition(position);
}

/** The position a cursor names, or null when the string is not a cursor this service made. */
export function decodeCursor(cursor: string): Position | null {
  return readPosition(cursor) ?? null;
}

/** Most frequent first; ties in the order the kinds are declared, so the list is stable. */
export function sortReactionCounts<T extends { kind: ReactionKind; count: number }>(counts: T[]): T[] {
  return [...counts].sort((a, b) => b.count - a.count || REACTION_KINDS.indexOf(a.kind) - REACTION_KINDS.indexOf(b.kind));
}

export type ReviewDirection = 'GUEST_REVIEWS_HOST' | 'HOST_REVIEWS_GUEST';

export interface ReviewRecord {
  id: string;
  stayId: string;
  direction: ReviewDirection;
  /** Null once the author's account is deleted. */
  authorId: string | null;
  subjectId: string | null;
  listingId: string;
  rating: number;
  body: string;
  createdAt: Date;
}

export type ActivityVisibility = 'PUBLIC' | 'CONNECTIONS' | 'PRIVATE';

export interface ActivityRecord {
  visibility: ActivityVisibility;
  posts: number;
  comments: number;
  reactionsGiven: number;
  reactionsReceived: number;
  viewsReceived: number;
  reviewsWritten: number;
  reviewsReceived: number;
  lastActiveAt: Date | null;
  months: { month: string; posts: number; comments: number; reactions: number }[];
}

/** Who may see a user's activity profile: the rule for `User.activity`. */
export function canSeeActivity(visibility: ActivityVisibility, ownerId: string, viewer: Viewer, connected: boolean): boolean {
  if (viewer && (viewer.isAdmin || viewer.userId === ownerId)) return true;
  if (visibility === 'PUBLIC') return true;
  return visibility === 'CONNECTIONS' && connected;
}
