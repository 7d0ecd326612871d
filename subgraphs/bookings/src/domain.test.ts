import { daysBetween, multiplyMoney, todayIn } from './domain';

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

describe('daysBetween', () => {
  it('counts nights across month, year and DST boundaries', () => {
    expect(daysBetween('2026-01-30', '2026-02-02')).toBe(3);
    expect(daysBetween('2026-12-31', '2027-01-01')).toBe(1);
    expect(daysBetween('2026-03-28', '2026-03-30')).toBe(2);
    expect(daysBetween('2026-03-02', '2026-03-01')).toBe(-1);
  });
});

describe('todayIn', () => {
  const now = new Date('2026-11-22T20:30:00Z');
  it('is the calendar date at the listing, not on the server', () => {
    expect(todayIn('UTC', now)).toBe('2026-11-22');
    expect(todayIn('Pacific/Auckland', now)).toBe('2026-11-23');
    expect(todayIn('America/Los_Angeles', new Date('2026-11-22T05:00:00Z'))).toBe('2026-11-21');
  });
  it('falls back to UTC for a zone it does not know', () => {
    expect(todayIn('Mars/Olympus_Mons', now)).toBe('2026-11-22');
  });
});
