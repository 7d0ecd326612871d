import type { z } from 'zod';
import { BadUserInputError } from '@market/platform';

/** Parses client input; every problem comes back at once, keyed by field, as BAD_USER_INPUT. */
export function parseInput<T>(schema: z.ZodType<T>, input: unknown): T {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const fields: Record<string, string[]> = {};
  for (const issue of result.error.issues) {
    const key = issue.path.join('.') || 'input';
    (fields[key] ??= []).push(issue.message);
  }
  throw new BadUserInputError(result.error.issues.map((i) => i.message).join('; '), fields);
}
