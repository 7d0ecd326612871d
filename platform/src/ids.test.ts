import { isUuid, uuidsOnly } from './ids';

describe('uuid checks', () => {
  it('accepts uuids in either case and nothing else', () => {
    expect(isUuid('0b7e6a52-1c1f-4f55-9c1e-7f3a3d0e2a11')).toBe(true);
    expect(isUuid('0B7E6A52-1C1F-4F55-9C1E-7F3A3D0E2A11')).toBe(true);
    expect(isUuid('0b7e6a52-1c1f-4f55-9c1e-7f3a3d0e2a1')).toBe(false);
    expect(isUuid(' 0b7e6a52-1c1f-4f55-9c1e-7f3a3d0e2a11')).toBe(false);
    expect(isUuid("1' OR '1'='1")).toBe(false);
  });

  it('keeps only the uuids, in order', () => {
    const a = '0b7e6a52-1c1f-4f55-9c1e-7f3a3d0e2a11';
    const b = 'c2f1d2a0-5e3b-4b9a-9d2e-1a2b3c4d5e6f';
    expect(uuidsOnly([b, 'x', a, ''])).toEqual([b, a]);
  });
});
