import { z } from 'zod';
import { decodeCursor, isUuid } from '../domain';

/** An entity id: a uuid, compared in lower case. */
export const idSchema = (what: string) =>
  z
    .string()
    .trim()
    .toLowerCase()
    .refine(isUuid, { message: `${what} is not a valid id`, params: { notAnId: true } });

/** Page sizes the schema documents as 1 to `max`. */
export const pageSizeSchema = (name: string, max: number) =>
  z.number().int().min(1, `${name} must be at least 1`).max(max, `${name} is at most ${max}`);

/** A cursor this subgraph handed out (`Message.cursor`, `Notification.cursor`), as the position it names. */
export const cursorSchema = (name: string) =>
  z.string().transform((cursor, ctx) => {
    const position = decodeCursor(cursor);
    if (!position) {
      ctx.addIssue({ code: 'custom', message: `${name} is not a cursor this API handed out` });
      return z.NEVER;
    }
    return position;
  });
