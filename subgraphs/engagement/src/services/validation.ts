import { parseInput } from '@market/platform';
import { z } from 'zod';
import { decodeCursor, isUuid, type Position } from '../domain';

export const uuid = (field: string) => z.string().refine(isUuid, `${field} is not an id`);

/** `first` and `after` of a page: 1 to 100 items after an opaque cursor. */
export const pageSchema = z.object({
  first: z.number().int().min(1, 'first must be at least 1').max(100, 'first is at most 100'),
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
  return parseInput(pageSchema, { first: input.first ?? 20, after: input.after });
}
