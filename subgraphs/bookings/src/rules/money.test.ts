import { formatCents, multiplyMoney, percentOfCents, toCents } from './money';

describe('multiplyMoney', () => {
  it.each([
    ['120.50', 3, '361.50'],
    ['120.5', 3, '361.50'],
    ['99', 2, '198.00'],
    ['0.01', 365, '3.65'],
    ['0', 7, '0.00'],
    ['33.335', 1, '33.34'],
    ['9999999999.99', 365, '3649999999996.35'],
  ])('%s × %i = %s', (amount, times, expected) => {
    expect(multiplyMoney(amount, times)).toBe(expected);
  });

  it('refuses what is not a decimal', () => {
    expect(() => multiplyMoney('12,50', 2)).toThrow(RangeError);
    expect(() => multiplyMoney('1e3', 2)).toThrow(RangeError);
  });
});

describe('cents', () => {
  it('parses and formats exact amounts', () => {
    expect(toCents('12.5')).toBe(1250n);
    expect(toCents('12')).toBe(1200n);
    expect(toCents('0.005')).toBe(1n);
    expect(toCents('-3.10')).toBe(-310n);
    expect(formatCents(5n)).toBe('0.05');
    expect(formatCents(-123456n)).toBe('-1234.56');
    expect(() => toCents('1,5')).toThrow(RangeError);
  });
  it('takes percentages half up', () => {
    expect(percentOfCents(1001n, 50)).toBe(501n);
    expect(percentOfCents(1000n, 15)).toBe(150n);
    expect(percentOfCents(333n, 10)).toBe(33n);
  });
});
