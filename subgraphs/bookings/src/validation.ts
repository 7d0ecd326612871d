import { BadUserInputError } from '@market/platform';

/** A BAD_USER_INPUT about one field. */
export function badField(field: string, message: string): BadUserInputError {
  return new BadUserInputError(message, { [field]: [message] });
}
