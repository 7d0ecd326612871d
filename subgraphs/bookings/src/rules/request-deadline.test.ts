import { respondByFor } from './request-deadline';

describe('respondByFor', () => {
  const bookedAt = new Date('2030-03-10T09:00:00Z');

  it('gives the host the window when check-in is further away', () => {
    expect(respondByFor('2030-03-20', 'UTC', bookedAt, 24 * 60)).toEqual(new Date('2030-03-11T09:00:00Z'));
    expect(respondByFor('2030-03-20', 'UTC', bookedAt, 30)).toEqual(new Date('2030-03-10T09:30:00Z'));
  });

  it('never runs past the start of the check-in day at the listing', () => {
    expect(respondByFor('2030-03-11', 'UTC', bookedAt, 24 * 60)).toEqual(new Date('2030-03-11T00:00:00Z'));
    // Midnight of 11 March in New York (EDT from 10 March) is 04:00 UTC.
    expect(respondByFor('2030-03-11', 'America/New_York', bookedAt, 24 * 60)).toEqual(new Date('2030-03-11T04:00:00Z'));
    // In Auckland (UTC+13) the 11th starts at 11:00 UTC on the 10th.
    expect(respondByFor('2030-03-11', 'Pacific/Auckland', bookedAt, 24 * 60)).toEqual(new Date('2030-03-10T11:00:00Z'));
  });

  it('leaves a request made on the check-in day itself until the end of that day at most', () => {
    expect(respondByFor('2030-03-10', 'UTC', bookedAt, 24 * 60)).toEqual(new Date('2030-03-11T00:00:00Z'));
    expect(respondByFor('2030-03-10', 'UTC', bookedAt, 60)).toEqual(new Date('2030-03-10T10:00:00Z'));
    // Already the 11th in Auckland: answered by midnight there (11:00 UTC on the 11th).
    expect(respondByFor('2030-03-11', 'Pacific/Auckland', new Date('2030-03-10T11:00:00Z'), 48 * 60)).toEqual(
      new Date('2030-03-11T11:00:00Z'),
    );
  });
});
