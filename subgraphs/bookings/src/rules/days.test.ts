import { addDays, daysBetween, startOfDayIn, todayIn } from './days';

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
