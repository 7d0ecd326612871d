import { z } from 'zod';
import { BadUserInputError } from '@market/platform';
import type { UserCursor } from '../domain';

const payload = z.tuple([z.iso.datetime(), z.uuid()]);

/** An opaque cursor: where a user sits in the (createdAt desc, id desc) order. */
export function encodeCursor(position: UserCursor): string {
  return Buffer.from(JSON.stringify([position.createdAt.toISOString(), position.id])).toString('base64url');
}

export function decodeCursor(cursor: string): UserCursor {
  try {
    const parsed = payload.safeParse(JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')));
    if (parsed.success) return { createdAt: new Date(parsed.data[0]), id: parsed.data[1] };
  } catch {
    // Not base64url JSON: refused below like any other foreign string.
  }
  throw new BadUserInputError('`after` is not a cursor this API handed out.', { after: ['is not a valid cursor'] });
}
