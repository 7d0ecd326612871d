import type { z } from 'zod';
import { BadUserInputError } from '@market/platform';

/** Parses input with a zod schema; every issue becomes a BAD_USER_INPUT field message. */
export function parseOrThrow<T>(schema: z.ZodType<T>, input: unknown): T {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const fields: Record<string, string[]> = {};
  for (const issue of result.error.issues) {
    const key = issue.path.join('.') || 'input';
    (fields[key] ??= []).push(issue.message);
  }
  throw new BadUserInputError(result.error.issues.map((i) => i.message).join('; '), fields);
}

/** A BAD_USER_INPUT about one field. */
export function badField(field: string, message: string): BadUserInputError {
  return new BadUserInputError(message, { [field]: [message] });
}
