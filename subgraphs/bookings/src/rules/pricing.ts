import type { ListingSnapshot, PriceBreakdown } from '../domain';
import { formatCents, percentOfCents, toCents } from './money';

/** Stays of at least this many nights get the listing's weekly discount. */
export const WEEKLY_NIGHTS = 7;
/** Stays of at least this many nights get the listing's monthly discount. */
export const MONTHLY_NIGHTS = 28;

type PricingTerms = Pick<ListingSnapshot, 'cleaningFee' | 'currency' | 'weeklyDiscountPercent' | 'monthlyDiscountPercent'> & {
  pricePerNight: string;
};

/** The larger of the length-of-stay discounts the stay qualifies for, in percent (0 when none). */
export function discountPercentFor(terms: Pick<PricingTerms, 'weeklyDiscountPercent' | 'monthlyDiscountPercent'>, nights: number): number {
  const qualifying = [
    nights >= WEEKLY_NIGHTS ? terms.weeklyDiscountPercent : null,
    nights >= MONTHLY_NIGHTS ? terms.monthlyDiscountPercent : null,
  ].filter((p): p is number => p !== null);
  return Math.max(0, ...qualifying);
}

/**
 * What a stay of `nights` costs under the listing's terms: nights × nightly rate, less the
 * length-of-stay discount (on the nights only), plus the cleaning fee. All in cents, never floats.
 */
export function priceStay(terms: PricingTerms, nights: number): PriceBreakdown {
  const rate = toCents(terms.pricePerNight);
  const subtotal = rate * BigInt(nights);
  const discountPercent = discountPercentFor(terms, nights);
  const discount = percentOfCents(subtotal, discountPercent);
  const cleaningFee = terms.cleaningFee === null ? 0n : toCents(terms.cleaningFee);
  return {
    nightlyRate: formatCents(rate),
    nights,
    nightlySubtotal: formatCents(subtotal),
    discountPercent,
    discount: formatCents(discount),
    cleaningFee: formatCents(cleaningFee),
    total: formatCents(subtotal - discount + cleaningFee),
    currency: terms.currency,
  };
}
