import { z } from 'zod';
import { requireUser, type AuthContext, parseInput } from '@market/platform';
import { REACTION_KINDS, type ReactionRecord } from '../domain';
import type { ReactionRepository } from '../repositories/reaction-repository';
import type { PostService } from './post-service';
import type { WriteLimits } from './rate-limits';


const reactSchema = z.object({ kind: z.enum(REACTION_KINDS) });

export class ReactionService {
  constructor(
    private readonly reactions: ReactionRepository,
    private readonly posts: PostService,
    private readonly limits: WriteLimits,
  ) {}

  /** Sets the caller's one reaction to a published post; reacting again changes its kind. */
  async react(ctx: AuthContext, postId: string, input: unknown): Promise<ReactionRecord> {
    const { userId } = requireUser(ctx);
    const { kind } = parseInput(reactSchema, input);
    await this.limits.count('react', userId);
    const reaction = await this.reactions.upsertOnPublishedPost({ postId, userId, kind });
    return reaction ?? this.posts.explainClosed(ctx, postId);
  }

  /** True when the caller had a reaction to the post and it is gone now. */
  async unreact(ctx: AuthContext, postId: string): Promise<boolean> {
    const { userId } = requireUser(ctx);
    return this.reactions.deleteByUserOnPost(userId, postId);
  }
}
