import type { CancellationPolicy, StayRecord } from '../domain';
import { startOfDayIn } from './days';
import { formatCents, percentOfCents, toCents } from './money';

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;

/** Each policy: how long before check-in the guest must cancel, and what share comes back then. */
export const POLICY_TERMS: Record<CancellationPolicy, { noticeMs: number; percent: number; notice: string }> = {
  FLEXIBLE: { noticeMs: DAY_MS, percent: 100, notice: '24 hours' },
  MODERATE: { noticeMs: 5 * DAY_MS, percent: 100, notice: '5 days' },
  STRICT: { noticeMs: 7 * DAY_MS, percent: 50, notice: '7 days' },
};

export interface Refund {
  percent: number;
  amount: string;
  /** Until when this refund holds; null when it will not shrink any more. */
  until: Date | null;
  explanation: string;
}

type RefundedStay = Pick<StayRecord, 'status' | 'totalPrice' | 'cancellationPolicy' | 'checkIn' | 'timeZone'>;

/**
 * What goes back to the guest if the stay is cancelled at `at`. The host (or an admin) cancelling,
 * or a stay the host never confirmed, refunds everything; otherwise the policy decides, counting to
 * the start of the check-in day at the listing.
 */
export function refundFor(stay: RefundedStay, cancelledBy: 'guest' | 'host', at: Date): Refund {
  const full = (explanation: string): Refund => ({ percent: 100, amount: formatCents(toCents(stay.totalPrice)), until: null, explanation });
  if (cancelledBy === 'host') return full('Cancelled by the host: the guest gets everything back.');
  if (stay.status === 'REQUESTED') return full('The host has not confirmed the stay yet: the guest gets everything back.');

  const terms = POLICY_TERMS[stay.cancellationPolicy];
  const deadline = new Date(startOfDayIn(stay.checkIn, stay.timeZone).getTime() - terms.noticeMs);
  const rule = `${stay.cancellationPolicy} policy: ${terms.percent === 100 ? 'full' : `${terms.percent}%`} refund up to ${terms.notice} before check-in, nothing after.`;
  if (at.getTime() <= deadline.getTime()) {
    return {
      percent: terms.percent,
      amount: formatCents(percentOfCents(toCents(stay.totalPrice), terms.percent)),
      until: deadline,
      explanation: rule,
    };
  }
  return { percent: 0, amount: '0.00', until: null, explanation: rule };
}
