import type { MutationResolvers } from '../generated/graphql';
import { MESSAGES, authPayload, codeFailure } from './results';

/** Sign-up, verification, sign-in, refresh, sign-out and passwords. */
export const authMutations: MutationResolvers = {
  signUp: async (_parent, { input }, ctx) => {
    const outcome = await ctx.auth.signUp(input, ctx.client);
    if (outcome.kind === 'emailTaken') return { __typename: 'EmailTaken', email: outcome.email, message: MESSAGES.emailTaken };
    return {
      __typename: 'VerificationSent',
      email: outcome.email,
      codeExpiresAt: outcome.codeExpiresAt,
      message: MESSAGES.verificationSent,
    };
  },
  verifyEmail: async (_parent, args, ctx) => {
    const outcome = await ctx.auth.verifyEmail(args, ctx.client);
    return outcome.kind === 'signedIn' ? authPayload(ctx, outcome) : codeFailure(outcome.kind);
  },
  resendVerificationCode: async (_parent, { email }, ctx) => {
    await ctx.auth.resendVerificationCode(email, ctx.client);
    return { message: MESSAGES.codeRequested };
  },
  signIn: async (_parent, { input }, ctx) => {
    const outcome = await ctx.auth.signIn(input, ctx.client);
    switch (outcome.kind) {
      case 'signedIn':
        return authPayload(ctx, outcome);
      case 'invalidCredentials':
        return { __typename: 'InvalidCredentials', message: MESSAGES.invalidCredentials };
      case 'emailNotVerified':
        return { __typename: 'EmailNotVerified', email: outcome.email, message: MESSAGES.emailNotVerified };
      case 'accountSuspended':
        return codeFailure('accountSuspended');
    }
  },
  refreshSession: async (_parent, { refreshToken }, ctx) => {
    const outcome = await ctx.auth.refresh(refreshToken, ctx.client);
    if (outcome.kind === 'signedIn') return authPayload(ctx, outcome);
    if (outcome.kind === 'accountSuspended') return codeFailure('accountSuspended');
    return { __typename: 'InvalidRefreshToken', message: MESSAGES.invalidRefreshToken };
  },
  logout: (_parent, _args, ctx) => ctx.auth.logout(ctx),
  changePassword: async (_parent, args, ctx) => {
    const outcome = await ctx.auth.changePassword(ctx, args);
    if (outcome.kind === 'invalidCredentials') return { __typename: 'InvalidCredentials', message: MESSAGES.invalidCredentials };
    return { __typename: 'PasswordChanged', endedSessions: outcome.endedSessions, message: MESSAGES.passwordChanged };
  },
  requestPasswordReset: async (_parent, { email }, ctx) => {
    await ctx.auth.requestPasswordReset(email, ctx.client);
    return { message: MESSAGES.codeRequested };
  },
  resetPassword: async (_parent, args, ctx) => {
    const outcome = await ctx.auth.resetPassword(args, ctx.client);
    return outcome.kind === 'passwordReset' ? { __typename: 'PasswordReset', message: MESSAGES.passwordReset } : codeFailure(outcome.kind);
  },
};
