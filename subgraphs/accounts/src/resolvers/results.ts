import type { Context } from '../context';
import type { SignedIn } from '../services/auth-service';

/** The words of each typed outcome, in one place so every mutation says the same thing. */
export const MESSAGES = {
  invalidCredentials: 'E-mail or password is wrong.',
  emailTaken: 'An account with this e-mail already exists: sign in instead.',
  verificationSent: 'We e-mailed you a 6-digit code: enter it with verifyEmail within 10 minutes.',
  emailNotVerified: 'Verify your e-mail address first: enter the code we sent, or ask for a new one.',
  accountSuspended: 'This account is suspended. Contact support.',
  invalidCode: 'The code is wrong or was already used: check the latest e-mail, or ask for a new code.',
  codeExpired: 'The code has expired: ask for a new one.',
  tooManyAttempts: 'Too many wrong codes: this one no longer works. Ask for a new one.',
  codeRequested: 'If an account uses this address and needs a code, one is on its way.',
  invalidRefreshToken: 'This session has ended: sign in again.',
  passwordChanged: 'Your password was changed and your other sessions were signed out.',
  passwordReset: 'Your password was reset and every session was signed out: sign in with the new password.',
  accountDeleted: 'Your account and its personal data were deleted.',
} as const;

/** The rest of this response is read as the session just opened (so the user sees their own e-mail). */
export function authPayload(ctx: Context, outcome: SignedIn) {
  ctx.identity = { userId: outcome.user.id, role: outcome.user.role, sessionId: outcome.sessionId };
  const { kind: _kind, ...payload } = outcome;
  return { __typename: 'AuthPayload' as const, ...payload };
}

type CodeFailureKind = 'invalidCode' | 'codeExpired' | 'tooManyAttempts' | 'accountSuspended';

const CODE_FAILURE_TYPES = {
  invalidCode: 'InvalidCode',
  codeExpired: 'CodeExpired',
  tooManyAttempts: 'TooManyAttempts',
  accountSuspended: 'AccountSuspended',
} as const;

export function codeFailure<K extends CodeFailureKind>(kind: K) {
  return { __typename: CODE_FAILURE_TYPES[kind], message: MESSAGES[kind] } as {
    __typename: (typeof CODE_FAILURE_TYPES)[K];
    message: string;
  };
}
