import { z } from 'zod';
import { ConflictError, requireUser, type AuthContext, parseInput } from '@market/platform';
import { REACTION_KINDS, viewerOf, type ReactionRecord, type TargetRef } from '../domain';
import type { ReactionRepository } from '../repositories/reaction-repository';
import type { TargetService } from './target-service';
import type { WriteLimits } from './rate-limits';

const reactSchema = z.object({ kind: z.enum(REACTION_KINDS) });

export class ReactionService {
  constructor(
    private readonly reactions: ReactionRepository,
    private readonly targets: TargetService,
    private readonly limits: WriteLimits,
  ) {}

  /** Sets the caller's one reaction to a target; reacting again changes its kind. */
  async react(ctx: AuthContext, target: TargetRef, input: unknown): Promise<ReactionRecord> {
    const { userId } = requireUser(ctx);
    const { kind } = parseInput(reactSchema, input);
    await this.limits.count('react', userId);
    // NOT_FOUND for what the caller cannot see, CONFLICT for a post that is not published.
    await this.targets.requireOpen(viewerOf(ctx.identity), target);
    const reaction = await this.reactions.upsert({ target, userId, kind });
    if (!reaction) throw new ConflictError('It no longer takes reactions.');
    return reaction;
  }

  /** True when the caller had a reaction to the target and it is gone now. */
  async unreact(ctx: AuthContext, target: TargetRef): Promise<boolean> {
    const { userId } = requireUser(ctx);
    return this.reactions.deleteByUserOnTarget(userId, target);
  }
}
