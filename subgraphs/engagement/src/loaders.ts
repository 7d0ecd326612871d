import { DataLoader, loaderByKey, loaderOfLists } from '@market/platform';
import {
  encodeCursor,
  sortReactionCounts,
  type CommentRecord,
  type PostRecord,
  type ReactionCountRecord,
  type ReactionRecord,
  type Viewer,
} from './domain';
import type { Page } from './services/validation';
import type { PostRepository } from './repositories/post-repository';
import type { CommentRepository } from './repositories/comment-repository';
import type { ReactionRepository } from './repositories/reaction-repository';
import type { ModerationRepository } from './moderation/moderation-repository';

export interface Repositories {
  posts: PostRepository;
  comments: CommentRepository;
  reactions: ReactionRepository;
  moderation: ModerationRepository;
}

/**
 * Per-request loaders: N parents or N entity references cost one query per field. Loaders that
 * return posts or their children apply the viewer's visibility in the query itself.
 */
export function createLoaders(repos: Repositories, viewer: Viewer) {
  const commentPages = new Map<string, DataLoader<string, CommentRecord[]>>();
  return {
    postById: loaderByKey((ids: readonly string[]) => repos.posts.findVisibleByIds(ids, viewer), (p) => p.id),
    commentById: loaderByKey((ids: readonly string[]) => repos.comments.findVisibleByIds(ids, viewer), (c) => c.id),
    reactionById: loaderByKey((ids: readonly string[]) => repos.reactions.findVisibleByIds(ids, viewer), (r) => r.id),
    postsByAuthor: loaderOfLists<string, PostRecord>((ids) => repos.posts.findVisibleByAuthors(ids, viewer), (p) => p.authorId),
    postsByListing: loaderOfLists<string, PostRecord>(
      (ids) => repos.posts.findVisibleByListings(ids, viewer),
      (p) => p.listingId ?? '',
    ),
    reactionsByPost: loaderOfLists<string, ReactionRecord>((ids) => repos.reactions.findByPosts(ids), (r) => r.postId),
    reactionCountsByPost: loaderOfLists<string, ReactionCountRecord>(
      async (ids) => sortReactionCounts(await repos.reactions.countByPosts(ids)),
      (c) => c.postId,
    ),
    commentCountByPost: new DataLoader<string, number>(async (ids) => {
      const counts = new Map((await repos.comments.countByPosts(ids)).map((c) => [c.postId, c.count]));
      return ids.map((id) => counts.get(id) ?? 0);
    }),
    /** The viewer's own reaction per post (never asked for when signed out). */
    viewerReactionByPost: loaderByKey(
      (ids: readonly string[]) => (viewer ? repos.reactions.findByUserOnPosts(viewer.userId, ids) : Promise.resolve([])),
      (r) => r.postId,
    ),
    /** Each item's open case, else its latest decided one: what its moderation notice says. */
    currentCaseByPost: loaderByKey((ids: readonly string[]) => repos.moderation.findCurrentCases('postId', ids), (c) => c.postId ?? ''),
    currentCaseByComment: loaderByKey((ids: readonly string[]) => repos.moderation.findCurrentCases('commentId', ids), (c) => c.commentId ?? ''),
    reportsByPost: loaderOfLists((ids: readonly string[]) => repos.moderation.findReports('postId', ids), (r) => r.postId ?? ''),
    reportsByComment: loaderOfLists((ids: readonly string[]) => repos.moderation.findReports('commentId', ids), (r) => r.commentId ?? ''),
    /** Posts' comment pages: one loader per distinct (first, after), so the usual case is one query. */
    commentsOfPost(page: Page): DataLoader<string, CommentRecord[]> {
      const key = `${page.first}|${page.after ? encodeCursor(page.after) : ''}`;
      let loader = commentPages.get(key);
      if (!loader) {
        loader = loaderOfLists((ids) => repos.comments.findPageByPosts(ids, page.first, page.after, viewer), (c) => c.postId);
        commentPages.set(key, loader);
      }
      return loader;
    },
  };
}

export type Loaders = ReturnType<typeof createLoaders>;
