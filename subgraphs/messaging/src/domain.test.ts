import { isUuid, pairKey } from './domain';

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
