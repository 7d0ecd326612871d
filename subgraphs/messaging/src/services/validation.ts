import { z } from 'zod';
import { BadUserInputError } from '@market/platform';
import { isUuid } from '../domain';

/** Parses input or throws BAD_USER_INPUT listing every problem by field. */
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

/** An entity id: a uuid, compared in lower case. */
export const idSchema = (what: string) =>
  z
    .string()
    .trim()
    .toLowerCase()
    .refine(isUuid, { message: `${what} is not a valid id` });

/** Page sizes the schema documents as 1 to `max`. */
export const pageSizeSchema = (name: string, max: number) =>
  z
    .number()
    .int()
    .min(1, `${name} must be at least 1`)
    .max(max, `${name} is at most ${max}`);
