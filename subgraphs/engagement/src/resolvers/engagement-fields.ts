import {
  canSeeReplica,
  encodeCursor,
  targetKey,
  type CommentConnectionRecord,
  type CommentRecord,
  type FeedbackSummaryRecord,
  type TargetRef,
} from '../domain';
import { parsePage, type Page } from '../services/validation';
import type { Context } from '../context';

/** `first + 1` rows make a Relay page of `first` and say whether more follow. */
export function toConnection(rows: CommentRecord[], page: Page): CommentConnectionRecord {
  const nodes = rows.slice(0, page.first);
  const edges = nodes.map((node) => ({ cursor: encodeCursor(node), node }));
  return {
    edges,
    pageInfo: {
      hasNextPage: rows.length > page.first,
      hasPreviousPage: page.after !== null,
      startCursor: edges[0]?.cursor ?? null,
      endCursor: edges.at(-1)?.cursor ?? null,
    },
  };
}

export async function commentsOf(target: TargetRef, args: { first?: number | null; after?: string | null }, ctx: Context) {
  const page = parsePage(args);
  return toConnection(await ctx.loaders.commentsOfTarget(page).load(targetKey(target.type, target.id)), page);
}

export async function feedbackOf(target: TargetRef, ctx: Context): Promise<FeedbackSummaryRecord> {
  const totals = await ctx.loaders.totalsByTarget.load(targetKey(target.type, target.id));
  const count = totals.get('feedback') ?? 0;
  const sum = totals.get('feedback_sum') ?? 0;
  return { target, count, average: count > 0 ? Math.round((sum / count) * 100) / 100 : null };
}

/**
 * Whether the caller may see what engagement knows of a listing or machine. The owner subgraph
 * decides visibility when the entity is reached through the graph; this keeps engagement's own
 * fields null for one it knows to be hidden from the caller (or deleted).
 */
export async function visibleReplica(target: TargetRef, ctx: Context): Promise<boolean> {
  const replica = await ctx.loaders.replicaByTarget.load(targetKey(target.type, target.id));
  return replica === null || canSeeReplica(replica, ctx.viewer);
}

/** The engagement fields listings and machines share. */
export function targetFields(type: 'LISTING' | 'MACHINE') {
  const ref = (entity: { id: string }): TargetRef => ({ type, id: entity.id });
  return {
    comments: async (entity: { id: string }, args: { first?: number | null; after?: string | null }, ctx: Context) =>
      (await visibleReplica(ref(entity), ctx)) ? commentsOf(ref(entity), args, ctx) : null,
    reactionCounts: async (entity: { id: string }, _args: unknown, ctx: Context) =>
      (await visibleReplica(ref(entity), ctx)) ? ctx.loaders.reactionCounts(ref(entity)) : null,
    viewerReaction: async (entity: { id: string }, _args: unknown, ctx: Context) =>
      ctx.viewer ? ((await ctx.loaders.viewerReactionByTarget.load(targetKey(type, entity.id)))?.kind ?? null) : null,
    feedback: async (entity: { id: string }, _args: unknown, ctx: Context) =>
      (await visibleReplica(ref(entity), ctx)) ? feedbackOf(ref(entity), ctx) : null,
    viewCount: async (entity: { id: string }, _args: unknown, ctx: Context) =>
      (await visibleReplica(ref(entity), ctx))
        ? ((await ctx.loaders.totalsByTarget.load(targetKey(type, entity.id))).get('views') ?? 0)
        : null,
  };
}
