import { z } from 'zod';
import { isUuid } from '../domain';


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
