import type { z } from 'zod';
import { BadUserInputError, NotFoundError } from './errors';

/** An issue about an id argument that is not one (z.uuid(), or a refinement with `params: { notAnId: true }`). */
function isIdIssue(issue: z.core.$ZodIssue): boolean {
  // Only an id given as an argument of its own: ids inside an input (a list of participants) are fields of it.
  if (issue.path.length > 1) return false;
  if (issue.code === 'invalid_format') return issue.format === 'uuid' || issue.format === 'guid';
  return issue.code === 'custom' && (issue.params as { notAnId?: unknown } | undefined)?.notAnId === true;
}

/**
 * Parses client input with a zod schema; failures become one BAD_USER_INPUT error that names every
 * offending field, so a client can show all problems at once. When the only problems are strings
 * that are not ids, the answer is NOT_FOUND.
 */
export function parseInput<T>(schema: z.ZodType<T>, input: unknown): T {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  // A string that is not an id names nothing: NOT_FOUND, as for an id that names nothing here
  // (the same answer everywhere, gateway/CLIENTS.md "Unknown ids").
  if (result.error.issues.every(isIdIssue)) {
    const what = String(result.error.issues[0]?.path.at(-1) ?? 'id').replace(/Ids?$/, '') || 'Entity';
    throw new NotFoundError(what.charAt(0).toUpperCase() + what.slice(1));
  }
  const fields: Record<string, string[]> = {};
  for (const issue of result.error.issues) {
    const key = issue.path.join('.') || 'input';
    (fields[key] ??= []).push(issue.message);
  }
  throw new BadUserInputError(result.error.issues.map((i) => i.message).join('; '), fields);
}
