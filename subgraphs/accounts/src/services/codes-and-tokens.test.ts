import { CodeHasher, deriveKey, generateCode, generateRefreshToken, hashRefreshToken, REFRESH_TOKEN_PATTERN } from './codes-and-tokens';

describe('one-time codes', () => {
  it('are 6 digits, zero-padded, and vary', () => {
    const codes = Array.from({ length: 200 }, generateCode);
    expect(codes.every((c) => /^\d{6}$/.test(c))).toBe(true);
    expect(new Set(codes).size).toBeGreaterThan(190);
  });

  it('hash differently per key, account and purpose', () => {
    const a = new CodeHasher(deriveKey('s'.repeat(32), 'otp'));
    const b = new CodeHasher(deriveKey('t'.repeat(32), 'otp'));
    const base = a.hash('EMAIL_VERIFICATION', 'u1', '123456');
    expect(base).toMatch(/^[0-9a-f]{64}$/);
    expect(a.hash('EMAIL_VERIFICATION', 'u1', '123456')).toBe(base);
    expect(b.hash('EMAIL_VERIFICATION', 'u1', '123456')).not.toBe(base);
    expect(a.hash('EMAIL_VERIFICATION', 'u2', '123456')).not.toBe(base);
    expect(a.hash('PASSWORD_RESET', 'u1', '123456')).not.toBe(base);
  });

  it('derive independent keys per purpose', () => {
    expect(deriveKey('s'.repeat(32), 'otp').equals(deriveKey('s'.repeat(32), 'uploads'))).toBe(false);
  });
});

describe('refresh tokens', () => {
  it('carry 256 random bits and are stored as their SHA-256', () => {
    const { token, hash } = generateRefreshToken();
    expect(token).toMatch(REFRESH_TOKEN_PATTERN);
    expect(Buffer.from(token, 'base64url')).toHaveLength(32);
    expect(hash).toBe(hashRefreshToken(token));
    expect(generateRefreshToken().token).not.toBe(token);
  });
});
