import { BadUserInputError } from '@market/platform';
import { idempotencyClaim, keysExpiredBefore, requestHash } from './idempotency';

describe('requestHash', () => {
  it('is the same for the same operation and input whatever the key order', () => {
    expect(requestHash('bookStay', { a: 1, b: { c: 2, d: [1, 2] } })).toBe(requestHash('bookStay', { b: { d: [1, 2], c: 2 }, a: 1 }));
  });
  it('differs by operation and by input', () => {
    const base = requestHash('cancelStay', { id: 'x' });
    expect(requestHash('confirmStay', { id: 'x' })).not.toBe(base);
    expect(requestHash('cancelStay', { id: 'y' })).not.toBe(base);
    expect(requestHash('cancelStay', { id: 'x', extra: undefined })).toBe(base);
  });
  it('hashes instants by their value', () => {
    const at = (iso: string) => requestHash('rescheduleViewing', { startsAt: new Date(iso) });
    expect(at('2030-01-01T10:00:00Z')).toBe(at('2030-01-01T10:00:00.000Z'));
    expect(at('2030-01-01T10:00:00Z')).not.toBe(at('2030-01-01T11:00:00Z'));
  });
});

describe('idempotencyClaim', () => {
  const now = new Date('2030-05-02T12:00:00Z');
  const retention = { hours: 24, now: () => now };

  it('is null without a key, and refuses an empty or overlong key', () => {
    expect(idempotencyClaim('u', null, 'bookStay', {}, retention)).toBeNull();
    expect(idempotencyClaim('u', undefined, 'bookStay', {}, retention)).toBeNull();
    expect(() => idempotencyClaim('u', '   ', 'bookStay', {}, retention)).toThrow(BadUserInputError);
    expect(() => idempotencyClaim('u', 'k'.repeat(201), 'bookStay', {}, retention)).toThrow(BadUserInputError);
    expect(idempotencyClaim('u', ' k1 ', 'bookStay', { a: 1 }, retention)).toEqual({
      callerId: 'u',
      key: 'k1',
      requestHash: requestHash('bookStay', { a: 1 }),
      expiredBefore: new Date('2030-05-01T12:00:00Z'),
    });
  });

  it('lets keys older than the retention expire', () => {
    expect(keysExpiredBefore({ hours: 1, now: () => now })).toEqual(new Date('2030-05-02T11:00:00Z'));
  });
});
