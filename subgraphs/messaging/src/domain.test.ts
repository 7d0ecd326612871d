import { encodeCursor as encodeCursorParts } from '@market/platform';
import { decodeCursor, decodeInboxCursor, encodeCursor, encodeInboxCursor, isUuid, pairKey } from './domain';

describe('pairKey', () => {
  const a = '0b6f2b9e-7d7a-4c84-9a8e-2f1d8b3c4e5f';
  const b = 'f3c1a2b4-1111-4a2b-8c3d-9e8f7a6b5c4d';

  it('is the same whoever starts the conversation', () => {
    expect(pairKey(a, b)).toBe(pairKey(b, a));
    expect(pairKey(a, b)).toBe(`${a}:${b}`);
  });

  it('ignores the case of the ids', () => {
    expect(pairKey(a.toUpperCase(), b)).toBe(pairKey(a, b));
  });
});

describe('isUuid', () => {
  it('accepts uuids and nothing else', () => {
    expect(isUuid('0b6f2b9e-7d7a-4c84-9a8e-2f1d8b3c4e5f')).toBe(true);
    expect(isUuid('0b6f2b9e7d7a4c849a8e2f1d8b3c4e5f')).toBe(false);
    expect(isUuid("x' OR 1=1 --")).toBe(false);
  });
});

describe('cursors', () => {
  const id = '0b6f2b9e-7d7a-4c84-9a8e-2f1d8b3c4e5f';

  it('round-trip a position, and sort like (createdAt, id) within a stream', () => {
    const position = { createdAt: new Date('2026-11-22T10:00:00.123Z'), id };
    expect(decodeCursor(encodeCursor(position))).toEqual(position);
    expect(encodeCursor(position)).toMatch(/^[A-Za-z0-9_-]+$/);
  });

  it('name nothing unless this subgraph made them', () => {
    const b64 = (text: string) => Buffer.from(text).toString('base64url');
    for (const cursor of [
      '',
      '!!!',
      b64(`2026-11-22T10:00:00.123Z|${id}`),
      encodeCursorParts(['yesterday', id]),
      encodeCursorParts(['2026-11-22T10:00:00.123Z', '42']),
      encodeCursorParts(['2026-11-22T10:00:00.123Z', id, 'x']),
      encodeInboxCursor(7),
      'a'.repeat(300),
    ]) {
      expect(decodeCursor(cursor)).toBeNull();
    }
  });

  it('number inbox updates, and refuse every other string as an inbox cursor', () => {
    expect(decodeInboxCursor(encodeInboxCursor(42))).toBe(42);
    const position = { createdAt: new Date('2026-11-22T10:00:00.123Z'), id };
    for (const cursor of [
      '',
      'inbox:1',
      encodeCursor(position),
      encodeCursorParts(['inbox', -1]),
      encodeCursorParts(['inbox', 1.5]),
      encodeCursorParts(['inbox', '3']),
    ]) {
      expect(decodeInboxCursor(cursor)).toBeNull();
    }
  });
});
