import type { MutationResolvers } from '../generated/graphql';
import type { Context } from '../context';
import type { SignedIn } from '../services/auth-service';

/** The rest of this response is read as the session just opened (so the new user sees their e-mail). */
function actAs(ctx: Context, outcome: SignedIn) {
  ctx.identity = { userId: outcome.user.id, role: outcome.user.role, sessionId: outcome.sessionId };
}

export const Mutation: MutationResolvers = {
  signUp: async (_parent, { input }, ctx) => {
    const outcome = await ctx.auth.signUp(input, ctx.client);
    if (outcome.kind === 'emailTaken') {
      return {
        __typename: 'EmailTaken',
        email: outcome.email,
        message: 'An account with this e-mail already exists: sign in instead.',
      };
    }
    actAs(ctx, outcome);
    return { __typename: 'AuthPayload', ...outcome };
  },
  signIn: async (_parent, { input }, ctx) => {
    const outcome = await ctx.auth.signIn(input, ctx.client);
    if (outcome.kind === 'invalidCredentials') {
      return { __typename: 'InvalidCredentials', message: 'E-mail or password is wrong.' };
    }
    actAs(ctx, outcome);
    return { __typename: 'AuthPayload', ...outcome };
  },
};
