import type { EmailMessage } from '../adapters/mailer';
import type { CodePurpose } from '../domain';

const SUBJECTS: Record<CodePurpose, string> = {
  EMAIL_VERIFICATION: 'Your Market verification code',
  PASSWORD_RESET: 'Your Market password reset code',
};

const REASONS: Record<CodePurpose, string> = {
  EMAIL_VERIFICATION: 'to confirm your e-mail address',
  PASSWORD_RESET: 'to choose a new password',
};

/** The e-mail carrying a one-time code. */
export function codeEmail(to: string, purpose: CodePurpose, code: string, ttlMinutes: number): EmailMessage {
  return {
    to,
    subject: SUBJECTS[purpose],
    text:
      `Your code is ${code}. Enter it ${REASONS[purpose]}; it works once, for ${ttlMinutes} minutes.\n\n` +
      'If you did not ask for it, ignore this message: nothing changes without the code.\n',
  };
}
