import { DataLoader, loaderByKey, loaderOfLists } from '@market/platform';
import {
  encodeCursor,
  REACTION_KINDS,
  sortReactionCounts,
  targetKey,
  type CommentRecord,
  type FeedbackRecord,
  type PostRecord,
  type ReactionCountRecord,
  type ReactionRecord,
  type TargetRef,
  type TargetType,
  type Viewer,
} from './domain';
import type { Page } from './services/validation';
import type { PostRepository } from './repositories/post-repository';
import type { CommentRepository } from './repositories/comment-repository';
import type { ReactionRepository } from './repositories/reaction-repository';
import type { FeedbackRepository } from './repositories/feedback-repository';
import type { CounterRepository, Totals } from './repositories/counter-repository';
import { replicaKey, type ReplicaRecord, type TargetRepository } from './repositories/target-repository';
import type { ModerationRepository } from './moderation/moderation-repository';
import type { ReviewRepository } from './repositories/review-repository';
import type { RatingSummary, ReviewRecord } from './domain';

export interface Repositories {
  posts: PostRepository;
  comments: CommentRepository;
  reactions: ReactionRepository;
  feedback: FeedbackRepository;
  counters: CounterRepository;
  targets: TargetRepository;
  moderation: ModerationRepository;
  reviews: ReviewRepository;
}

/** "POST:<id>" back to a target. */
export function parseTargetKey(key: string): TargetRef {
  const i = key.indexOf(':');
  return { type: key.slice(0, i) as TargetType, id: key.slice(i + 1) };
}

const EMPTY: Totals = new Map();

/**
 * Per-request loaders: N parents or N entity references cost one query per field. Loaders that
 * return posts or their children apply the viewer's visibility in the query itself. Loaders about
 * any target are keyed by `targetKey` ("LISTING:<id>").
 */
export function createLoaders(repos: Repositories, viewer: Viewer) {
  const pages = new Map<string, DataLoader<string, CommentRecord[]>>();
  const latest = new Map<number, DataLoader<string, FeedbackRecord[]>>();
  const listingReviews = new Map<number, DataLoader<string, ReviewRecord[]>>();
  const memo = <V>(cache: Map<string, V>, key: string, make: () => V): V => {
    let value = cache.get(key);
    if (!value) cache.set(key, (value = make()));
    return value;
  };
  const totalsByTarget = new DataLoader<string, Totals>(async (keys) => {
    const totals = await repos.counters.totalsOf(keys.map(parseTargetKey));
    return keys.map((k) => totals.get(k) ?? EMPTY);
  });
  return {
    postById: loaderByKey(
      (ids: readonly string[]) => repos.posts.findVisibleByIds(ids, viewer),
      (p) => p.id,
    ),
    commentById: loaderByKey(
      (ids: readonly string[]) => repos.comments.findVisibleByIds(ids, viewer),
      (c) => c.id,
    ),
    reactionById: loaderByKey(
      (ids: readonly string[]) => repos.reactions.findVisibleByIds(ids, viewer),
      (r) => r.id,
    ),
    feedbackById: loaderByKey(
      (ids: readonly string[]) => repos.feedback.findVisibleByIds(ids, viewer),
      (f) => f.id,
    ),
    postsByAuthor: loaderOfLists<string, PostRecord>(
      (ids) => repos.posts.findVisibleByAuthors(ids, viewer),
      (p) => p.authorId,
    ),
    postsByListing: loaderOfLists<string, PostRecord>(
      (ids) => repos.posts.findVisibleByListings(ids, viewer),
      (p) => p.listingId ?? '',
    ),
    /** Listings and machines as engagement knows them (for their visibility). */
    replicaByTarget: loaderByKey<string, ReplicaRecord>((keys) => repos.targets.findReplicas(keys.map(parseTargetKey)), replicaKey),
    reactionsByTarget: loaderOfLists<string, ReactionRecord>(
      (keys) => repos.reactions.findByTargets(keys.map(parseTargetKey)),
      (r) => targetKey(r.targetType, r.targetId),
    ),
    /** Exact totals (comments, reactions by kind, feedback, views): one query for every target of a request. */
    totalsByTarget,
    async reactionCounts(target: TargetRef): Promise<ReactionCountRecord[]> {
      const totals = await totalsByTarget.load(targetKey(target.type, target.id));
      const counts = REACTION_KINDS.map((kind) => ({ kind, count: totals.get(`reactions:${kind}`) ?? 0 })).filter((c) => c.count > 0);
      return sortReactionCounts(counts);
    },
    /** The viewer's own reaction per target (never asked for when signed out). */
    viewerReactionByTarget: loaderByKey(
      (keys: readonly string[]) =>
        viewer ? repos.reactions.findByUserOnTargets(viewer.userId, keys.map(parseTargetKey)) : Promise.resolve([]),
      (r) => targetKey(r.targetType, r.targetId),
    ),
    replyCountByParent: new DataLoader<string, number>(async (ids) => {
      const counts = new Map((await repos.comments.countReplies(ids)).map((c) => [c.parentId, c.count]));
      return ids.map((id) => counts.get(id) ?? 0);
    }),
    /** Each item's open case, else its latest decided one: what its moderation notice says. */
    currentCaseByPost: loaderByKey(
      (ids: readonly string[]) => repos.moderation.findCurrentCases('postId', ids),
      (c) => c.postId ?? '',
    ),
    currentCaseByComment: loaderByKey(
      (ids: readonly string[]) => repos.moderation.findCurrentCases('commentId', ids),
      (c) => c.commentId ?? '',
    ),
    currentCaseByFeedback: loaderByKey(
      (ids: readonly string[]) => repos.moderation.findCurrentCases('feedbackId', ids),
      (c) => c.feedbackId ?? '',
    ),
    reportsByPost: loaderOfLists(
      (ids: readonly string[]) => repos.moderation.findReports('postId', ids),
      (r) => r.postId ?? '',
    ),
    reportsByComment: loaderOfLists(
      (ids: readonly string[]) => repos.moderation.findReports('commentId', ids),
      (r) => r.commentId ?? '',
    ),
    reportsByFeedback: loaderOfLists(
      (ids: readonly string[]) => repos.moderation.findReports('feedbackId', ids),
      (r) => r.feedbackId ?? '',
    ),
    /**
     * Targets' top-level comment pages (`page.first + 1` rows, to know whether more follow): one
     * loader per distinct (first, after), so the usual case is one query for every target.
     */
    commentsOfTarget(page: Page): DataLoader<string, CommentRecord[]> {
      const key = `${page.first}|${page.after ? encodeCursor(page.after) : ''}`;
      return memo(pages, `t|${key}`, () =>
        loaderOfLists(
          (keys) => repos.comments.findPageByTargets(keys.map(parseTargetKey), page.first + 1, page.after, viewer),
          (c) => targetKey(c.targetType, c.targetId),
        ),
      );
    },
    /** Comments' reply pages, like `commentsOfTarget`. */
    repliesOf(page: Page): DataLoader<string, CommentRecord[]> {
      const key = `${page.first}|${page.after ? encodeCursor(page.after) : ''}`;
      return memo(pages, `r|${key}`, () =>
        loaderOfLists(
          (ids) => repos.comments.findRepliesPage(ids, page.first + 1, page.after, viewer),
          (c) => c.parentId ?? '',
        ),
      );
    },
    reviewById: loaderByKey(
      (ids: readonly string[]) => repos.reviews.findVisibleByIds(ids, viewer?.userId ?? null),
      (r) => r.id,
    ),
    ratingByListing: new DataLoader<string, RatingSummary>(async (ids) => {
      const ratings = await repos.reviews.ratingsOf(ids);
      return ids.map((id) => ratings.get(id) ?? { average: null, count: 0 });
    }),
    reviewsAboutGuest: loaderOfLists<string, ReviewRecord>(
      (ids) => repos.reviews.findVisibleAboutGuests(ids, viewer?.userId ?? null),
      (r) => r.subjectId ?? '',
    ),
    reviewsOfListing(first: number): DataLoader<string, ReviewRecord[]> {
      let loader = listingReviews.get(first);
      if (!loader) {
        loader = loaderOfLists(
          (ids) => repos.reviews.findVisibleByListings(ids, first, viewer?.userId ?? null),
          (r) => r.listingId,
        );
        listingReviews.set(first, loader);
      }
      return loader;
    },
    latestFeedback(first: number): DataLoader<string, FeedbackRecord[]> {
      let loader = latest.get(first);
      if (!loader) {
        loader = loaderOfLists(
          (keys) => repos.feedback.findLatestByTargets(keys.map(parseTargetKey), first, viewer),
          (f) => targetKey(f.targetType, f.targetId),
        );
        latest.set(first, loader);
      }
      return loader;
    },
  };
}

export type Loaders = ReturnType<typeof createLoaders>;
