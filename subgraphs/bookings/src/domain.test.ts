import { addDays, daysBetween, formatCents, multiplyMoney, percentOfCents, startOfDayIn, toCents, todayIn } from './domain';

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

describe('addDays', () => {
  it('steps over month and year ends', () => {
    expect(addDays('2026-12-30', 3)).toBe('2027-01-02');
    expect(addDays('2028-02-28', 1)).toBe('2028-02-29');
  });
});

describe('startOfDayIn', () => {
  it('is local midnight as an instant, on ordinary and clock-change days', () => {
    expect(startOfDayIn('2026-11-22', 'UTC').toISOString()).toBe('2026-11-22T00:00:00.000Z');
    expect(startOfDayIn('2026-07-01', 'Europe/Lisbon').toISOString()).toBe('2026-06-30T23:00:00.000Z');
    expect(startOfDayIn('2026-03-29', 'Europe/Lisbon').toISOString()).toBe('2026-03-29T00:00:00.000Z');
    expect(startOfDayIn('2026-11-01', 'America/New_York').toISOString()).toBe('2026-11-01T04:00:00.000Z');
    expect(startOfDayIn('2027-03-10', 'Pacific/Auckland').toISOString()).toBe('2027-03-09T11:00:00.000Z');
  });
  it('falls back to UTC for a zone it does not know', () => {
    expect(startOfDayIn('2026-11-22', 'Mars/Olympus_Mons').toISOString()).toBe('2026-11-22T00:00:00.000Z');
  });
});
