import { BadUserInputError } from '@market/platform';
import { decodeCursor, encodeCursor } from './cursor';

describe('listing cursors', () => {
  it('round-trip a position', () => {
    const position = { createdAt: new Date('2026-01-02T03:04:05.678Z'), id: '0b7e6a52-1c1f-4f55-9c1e-7f3a3d0e2a11' };
    expect(decodeCursor(encodeCursor(position))).toEqual(position);
  });

  it.each(['', 'not-a-cursor', Buffer.from('["yesterday","x"]').toString('base64url')])('refuse %j', (cursor) => {
    expect(() => decodeCursor(cursor)).toThrow(BadUserInputError);
  });
});
