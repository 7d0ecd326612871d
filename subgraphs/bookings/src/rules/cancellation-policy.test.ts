import type { CancellationPolicy, StayStatus } from '../domain';
import { refundFor } from './cancellation-policy';

const HOUR = 3_600_000;
const checkInStart = new Date('2027-03-10T00:00:00Z');
const stay = (cancellationPolicy: CancellationPolicy, status: StayStatus = 'CONFIRMED', timeZone = 'UTC') => ({
  status,
  totalPrice: '301.01',
  cancellationPolicy,
  checkIn: '2027-03-10',
  timeZone,
});
const before = (hours: number) => new Date(checkInStart.getTime() - hours * HOUR);

describe('refundFor', () => {
  it.each([
    ['FLEXIBLE', 24, 100, '301.01'],
    ['FLEXIBLE', 23.99, 0, '0.00'],
    ['MODERATE', 5 * 24, 100, '301.01'],
    ['MODERATE', 5 * 24 - 0.01, 0, '0.00'],
    ['STRICT', 7 * 24, 50, '150.51'],
    ['STRICT', 7 * 24 - 0.01, 0, '0.00'],
    ['STRICT', 30 * 24, 50, '150.51'],
  ] as const)('%s, %p h before check-in: %i%% (%s)', (policy, hours, percent, amount) => {
    const refund = refundFor(stay(policy), 'guest', before(hours));
    expect(refund).toMatchObject({ percent, amount });
    expect(refund.explanation).toContain(policy);
  });

  it('says until when the refund holds', () => {
    expect(refundFor(stay('MODERATE'), 'guest', before(200)).until).toEqual(before(120));
    expect(refundFor(stay('MODERATE'), 'guest', before(100)).until).toBeNull();
  });

  it('refunds everything when the host cancels or the stay is still a request', () => {
    expect(refundFor(stay('STRICT'), 'host', before(1))).toMatchObject({ percent: 100, amount: '301.01', until: null });
    expect(refundFor(stay('STRICT', 'REQUESTED'), 'guest', before(1))).toMatchObject({ percent: 100, amount: '301.01' });
  });

  it("measures to the start of the check-in day in the listing's time zone", () => {
    // Midnight of 10 March in Auckland (UTC+13) is 11:00 UTC on 9 March.
    const refund = refundFor(stay('FLEXIBLE', 'CONFIRMED', 'Pacific/Auckland'), 'guest', new Date('2027-03-08T10:59:00Z'));
    expect(refund).toMatchObject({ percent: 100, until: new Date('2027-03-08T11:00:00Z') });
    expect(refundFor(stay('FLEXIBLE', 'CONFIRMED', 'Pacific/Auckland'), 'guest', new Date('2027-03-08T11:01:00Z')).percent).toBe(0);
  });
});
