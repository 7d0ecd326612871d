import { z } from 'zod';
import { BadUserInputError } from '@market/platform';
import { decodeCursor, isUuid, type Position } from '../domain';

/** Parses input with a zod schema; every issue becomes a field message of one BAD_USER_INPUT error. */
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

export const uuid = (field: string) => z.string().refine(isUuid, `${field} is not an id`);

/** `first` and `after` of a page: 1 to 100 items after an opaque cursor. */
export const pageSchema = z.object({
  first: z
    .number()
    .int()
    .min(1, 'first must be at least 1')
    .max(100, 'first is at most 100'),
  after: z
    .string()
    .nullish()
    .transform((cursor, ctx): Position | null => {
      if (cursor === null || cursor === undefined) return null;
      const position = decodeCursor(cursor);
      if (!position) {
        ctx.addIssue({ code: 'custom', message: 'after is not a cursor from this API' });
        return z.NEVER;
      }
      return position;
    }),
});

export type Page = { first: number; after: Position | null };

export function parsePage(input: { first?: number | null; after?: string | null }): Page {
  return parseOrThrow(pageSchema, { first: input.first ?? 20, after: input.after });
}
