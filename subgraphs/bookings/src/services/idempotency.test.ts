import { BadUserInputError } from '@market/platform';
import { idempotencyClaim, requestHash } from './idempotency';

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
});

describe('idempotencyClaim', () => {
  it('is null without a key, and refuses an empty or overlong key', () => {
    expect(idempotencyClaim('u', null, 'bookStay', {})).toBeNull();
    expect(idempotencyClaim('u', undefined, 'bookStay', {})).toBeNull();
    expect(() => idempotencyClaim('u', '   ', 'bookStay', {})).toThrow(BadUserInputError);
    expect(() => idempotencyClaim('u', 'k'.repeat(201), 'bookStay', {})).toThrow(BadUserInputError);
    expect(idempotencyClaim('u', ' k1 ', 'bookStay', { a: 1 })).toEqual({ callerId: 'u', key: 'k1', requestHash: requestHash('bookStay', { a: 1 }) });
  });
});
