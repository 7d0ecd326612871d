import { z } from 'zod';
import { BadUserInputError, parseInput, requireUser, type AuthContext } from '@market/platform';
import { isUuid, type PostRecord } from '../domain';
import type { FeedPosition, SocialRepository } from '../repositories/social-repository';

export interface PostPage {
  edges: { cursor: string; node: PostRecord }[];
  pageInfo: { hasNextPage: boolean; hasPreviousPage: boolean; startCursor: string | null; endCursor: string | null };
}

const pageSchema = z.object({ first: z.number().int().min(1, 'first must be at least 1').max(100, 'first is at most 100') });
const suggestionsSchema = z.object({ first: z.number().int().min(1, 'first is 1 to 50').max(50, 'first is 1 to 50') });

/** Feed cursors are opaque: base64url of [moment of the first page, tier, score, post id]. */
export function encodeFeedCursor(p: FeedPosition): string {
  return Buffer.from(JSON.stringify([p.asOf.toISOString(), p.tier, p.score, p.id]), 'utf8').toString('base64url');
}

export function decodeFeedCursor(cursor: string): FeedPosition | null {
  try {
    const value: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (!Array.isArray(value) || value.length !== 4) return null;
    const [iso, tier, score, id] = value as [unknown, unknown, unknown, unknown];
    if (typeof iso !== 'string' || typeof tier !== 'number' || typeof score !== 'number' || typeof id !== 'string' || !isUuid(id))
      return null;
    const asOf = new Date(iso);
    if (Number.isNaN(asOf.getTime()) || !Number.isFinite(score) || (tier !== 0 && tier !== 1)) return null;
    return { asOf, tier, score, id };
  } catch {
    return null;
  }
}

export class FeedService {
  constructor(
    private readonly social: SocialRepository,
    private readonly now: () => Date = () => new Date(),
  ) {}

  /** The ranked feed (see `Query.feed`); signed out, every post is in one group. */
  async feed(ctx: AuthContext, args: { first?: number | null; after?: string | null }): Promise<PostPage> {
    const { first } = parseInput(pageSchema, { first: args.first ?? 20 });
    const after = args.after ? decodeFeedCursor(args.after) : null;
    if (args.after && !after) throw new BadUserInputError('after is not a cursor from this API', { after: ['not a cursor from this API'] });
    const asOf = after?.asOf ?? this.now();
    const rows = await this.social.rankedPage(ctx.identity?.userId ?? null, first + 1, after, asOf);
    const edges = rows.slice(0, first).map(({ position, ...node }) => ({ cursor: encodeFeedCursor(position), node }));
    return {
      edges,
      pageInfo: {
        hasNextPage: rows.length > first,
        hasPreviousPage: after !== null,
        startCursor: edges[0]?.cursor ?? null,
        endCursor: edges.at(-1)?.cursor ?? null,
      },
    };
  }

  async peopleYouMayKnow(ctx: AuthContext, args: { first?: number | null }) {
    const { userId } = requireUser(ctx);
    const { first } = parseInput(suggestionsSchema, { first: args.first ?? 10 });
    const people = await this.social.peopleYouMayKnow(userId, first);
    return people.map((p) => ({ user: { id: p.userId }, mutualConnections: p.mutual }));
  }
}
