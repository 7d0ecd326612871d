import { z } from 'zod';
import { BadUserInputError } from './errors';

/**
 * Opaque pagination cursors: base64url of a JSON array. Clients cannot read meaning into them,
 * so the ordering behind a list can change without breaking anyone; each list checks that a
 * cursor it is handed has the shape it hands out, and refuses anything else as bad input.
 */
export function encodeCursor(parts: readonly unknown[]): string {
  return Buffer.from(JSON.stringify(parts)).toString('base64url');
}

/**
 * What `accept` makes of the cursor's content, or undefined when the string is not base64url JSON
 * or `accept` refuses it (returns undefined or throws).
 */
export function readCursor<T>(cursor: string, accept: (content: unknown) => T | undefined): T | undefined {
  try {
    return accept(JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')));
  } catch {
    // Not base64url JSON, or not the shape `accept` expects: refused like any other foreign string.
    return undefined;
  }
}

/** How a list refuses a cursor it did not hand out: the message, and the problem reported on `after`. */
export interface CursorRefusal {
  message: string;
  problem: string;
}

const NOT_OURS: CursorRefusal = { message: '`after` is not a cursor this API handed out.', problem: 'is not a valid cursor' };

/** readCursor, with a BAD_USER_INPUT error on `after` for a cursor `accept` refuses. */
export function decodeCursor<T>(cursor: string, accept: (content: unknown) => T | undefined, refusal: CursorRefusal = NOT_OURS): T {
  const value = readCursor(cursor, accept);
  if (value === undefined) throw new BadUserInputError(refusal.message, { after: [refusal.problem] });
  return value;
}

/** Where an entity sits in a list ordered by (createdAt desc, id desc). */
export interface Position {
  createdAt: Date;
  id: string;
}

const position = z.tuple([z.iso.datetime(), z.uuid()]);

export function encodePosition(at: Position): string {
  return encodeCursor([at.createdAt.toISOString(), at.id]);
}

function acceptPosition(content: unknown): Position | undefined {
  const parsed = position.safeParse(content);
  return parsed.success ? { createdAt: new Date(parsed.data[0]), id: parsed.data[1] } : undefined;
}

/** The position a cursor from encodePosition names, or undefined for any other string. */
export function readPosition(cursor: string): Position | undefined {
  return readCursor(cursor, acceptPosition);
}

/** The position a cursor from encodePosition names; BAD_USER_INPUT for any other string. */
export function decodePosition(cursor: string): Position {
  return decodeCursor(cursor, acceptPosition);
}
