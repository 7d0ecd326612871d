import { encodeCursor as encodeCursorParts } from '@market/platform';
import { canSeePost, decodeCursor, encodeCursor, sortReactionCounts } from './domain';
import { parsePage } from './services/validation';

const id = '0b7f6c1e-5d0a-4f2e-9a51-3c2d1e0f9a8b';

describe('cursors', () => {
  it('round-trips a position', () => {
    const position = { createdAt: new Date('2026-11-22T10:00:00.123Z'), id };
    expect(decodeCursor(encodeCursor(position))).toEqual(position);
  });

  it.each([
    '',
    'abc',
    encodeCursorParts(['2026-11-22T10:00:00.000Z', 'not-a-uuid']),
    encodeCursorParts(['yesterday', id]),
    encodeCursorParts(['2026-11-22T10:00:00.000Z', id, 'x']),
  ])('refuses %p', (cursor) => {
    expect(decodeCursor(cursor)).toBeNull();
  });
});

describe('parsePage', () => {
  it('defaults first to 20 and accepts 1..100', () => {
    expect(parsePage({})).toEqual({ first: 20, after: null });
    expect(parsePage({ first: 100 }).first).toBe(100);
  });

  it.each([0, -1, 101])('refuses first = %p as BAD_USER_INPUT', (first) => {
    expect(() => parsePage({ first })).toThrow(
      expect.objectContaining({ extensions: expect.objectContaining({ code: 'BAD_USER_INPUT' }) }),
    );
  });

  it('refuses a cursor it did not make', () => {
    expect(() => parsePage({ after: 'garbage' })).toThrow(
      expect.objectContaining({ extensions: { code: 'BAD_USER_INPUT', fields: { after: ['after is not a cursor from this API'] } } }),
    );
  });
});

describe('canSeePost', () => {
  const author = 'author';
  it('shows published posts to everyone, others to their author and admins only', () => {
    expect(canSeePost({ authorId: author, status: 'PUBLISHED' }, null)).toBe(true);
    for (const status of ['HIDDEN', 'REMOVED'] as const) {
      const post = { authorId: author, status };
      expect(canSeePost(post, null)).toBe(false);
      expect(canSeePost(post, { userId: 'someone', isAdmin: false })).toBe(false);
      expect(canSeePost(post, { userId: author, isAdmin: false })).toBe(true);
      expect(canSeePost(post, { userId: 'admin', isAdmin: true })).toBe(true);
    }
  });
});

describe('sortReactionCounts', () => {
  it('puts the most frequent first and breaks ties by declaration order', () => {
    const sorted = sortReactionCounts([
      { kind: 'SAD' as const, count: 2 },
      { kind: 'LOVE' as const, count: 5 },
      { kind: 'LIKE' as const, count: 2 },
    ]);
    expect(sorted.map((c) => c.kind)).toEqual(['LOVE', 'LIKE', 'SAD']);
  });
});
