import { decodeCursor, decodePosition, encodeCursor, encodePosition, readCursor, readPosition } from './cursor';
import { BadUserInputError } from './errors';

describe('cursors', () => {
  it('round-trip a position', () => {
    const at = { createdAt: new Date('2026-01-02T03:04:05.678Z'), id: '0b7e6a52-1c1f-4f55-9c1e-7f3a3d0e2a11' };
    expect(decodePosition(encodePosition(at))).toEqual(at);
  });

  it.each(['', 'not-a-cursor', Buffer.from('["yesterday","x"]').toString('base64url'), encodeCursor([1, 2])])(
    'refuse %j as a position',
    (cursor) => {
      expect(() => decodePosition(cursor)).toThrow(BadUserInputError);
      expect(readPosition(cursor)).toBeUndefined();
    },
  );

  it('reads back what it encoded, through the caller`s check', () => {
    const cursor = encodeCursor(['pg', 'NEWEST', '12']);
    expect(readCursor(cursor, (c) => (Array.isArray(c) && c[0] === 'pg' ? c.slice(1) : undefined))).toEqual(['NEWEST', '12']);
    expect(readCursor(cursor, (c) => (Array.isArray(c) && c[0] === 'es' ? c : undefined))).toBeUndefined();
  });

  it('treats a check that throws as a refusal, and names the problem on `after`', () => {
    const boom = () => {
      throw new TypeError('not iterable');
    };
    expect(readCursor(encodeCursor([1]), boom)).toBeUndefined();
    try {
      decodeCursor('x', boom, { message: 'after is not a cursor from this list.', problem: 'is not a cursor from this list' });
      throw new Error('expected a refusal');
    } catch (err) {
      expect(err).toBeInstanceOf(BadUserInputError);
      expect((err as BadUserInputError).message).toBe('after is not a cursor from this list.');
      expect((err as BadUserInputError).extensions).toMatchObject({ fields: { after: ['is not a cursor from this list'] } });
    }
  });
});
