import { BadUserInputError } from '@market/platform';
import type { ListingRecord } from '../../domain';
import { BIDDING_RULES, type BiddingRule } from '../rules/events';
import type { NewAuction } from '../rules/commands';
import { MONEY_PROBLEM_TEXT, currencyDecimals, parseAmount } from '../rules/money';

const DAY = 86_400_000;
/** Longest auction: long enough for any property, short enough that a typo in a year is caught. */
export const MAX_DURATION_DAYS = 90;
/** Shortest auction. */
export const MIN_DURATION_MS = 60_000;
/** A start this far in the past is a mistake, not "now". */
const PAST_START_GRACE_MS = 5 * 60_000;
const MAX_START_AHEAD_DAYS = 365;

/**
 * Checks a createAuction input and reports every problem at once (BAD_USER_INPUT with `fields`):
 * amounts in the auction's currency with at most its decimals, not negative, not absurd; the reserve
 * not under the starting price; the end after the start; a start a moment ago counts as now.
 */
export function parseNewAuction(
  input: Record<string, unknown>,
  ctx: { listing: Pick<ListingRecord, 'currency'>; now: number; defaultSoftCloseMinutes: number },
): Omit<NewAuction, 'listingId' | 'sellerId'> {
  const problems: Record<string, string[]> = {};
  const problem = (field: string, message: string) => (problems[field] ??= []).push(message);
  const currency = input['currency'] == null ? ctx.listing.currency : String(input['currency']).trim().toUpperCase();
  if (!/^[A-Z]{3}$/.test(currency)) problem('currency', 'must be an ISO 4217 code such as USD');
  const money = (field: string, required: boolean): number | null => {
    const raw = input[field];
    if (raw == null) {
      if (required) problem(field, 'is required');
      return null;
    }
    const parsed = parseAmount(String(raw), currency);
    if ('minor' in parsed) return parsed.minor;
    problem(
      field,
      parsed.problem === 'TOO_MANY_DECIMALS'
        ? `has more than ${currencyDecimals(currency)} decimals (${currency})`
        : MONEY_PROBLEM_TEXT[parsed.problem],
    );
    return null;
  };
  const startingMinor = money('startingPrice', true);
  const reserveMinor = money('reservePrice', false);
  const increment = money('minimumIncrement', false);
  if (increment === 0) problem('minimumIncrement', 'must be more than 0');
  if (startingMinor !== null && reserveMinor !== null && reserveMinor < startingMinor)
    problem('reservePrice', 'must not be under startingPrice');

  const time = (field: string): number | null => {
    const raw = input[field];
    const at = raw instanceof Date ? raw.getTime() : typeof raw === 'string' ? Date.parse(raw) : Number.NaN;
    if (Number.isNaN(at)) {
      problem(field, 'must be an ISO-8601 instant');
      return null;
    }
    return at;
  };
  let startsAt = time('startsAt');
  const endsAt = time('endsAt');
  if (startsAt !== null) {
    if (startsAt < ctx.now - PAST_START_GRACE_MS) problem('startsAt', 'is in the past');
    else if (startsAt > ctx.now + MAX_START_AHEAD_DAYS * DAY) problem('startsAt', `must be within ${MAX_START_AHEAD_DAYS} days`);
    startsAt = Math.max(startsAt, ctx.now);
  }
  if (startsAt !== null && endsAt !== null) {
    if (endsAt <= startsAt) problem('endsAt', 'must be after startsAt');
    else if (endsAt - startsAt < MIN_DURATION_MS) problem('endsAt', 'must be at least a minute after startsAt');
    else if (endsAt - startsAt > MAX_DURATION_DAYS * DAY) problem('endsAt', `must be at most ${MAX_DURATION_DAYS} days after startsAt`);
  }
  const rule = (input['rule'] ?? 'ASCENDING') as BiddingRule;
  if (!BIDDING_RULES.includes(rule)) problem('rule', `must be one of ${BIDDING_RULES.join(', ')}`);
  const softCloseMinutes = input['softCloseMinutes'] == null ? ctx.defaultSoftCloseMinutes : Number(input['softCloseMinutes']);
  if (!Number.isInteger(softCloseMinutes) || softCloseMinutes < 0 || softCloseMinutes > 60) problem('softCloseMinutes', 'must be 0 to 60');

  const fields = Object.keys(problems);
  if (fields.length > 0) {
    const summary = fields.map((f) => `${f} ${(problems[f] as string[]).join(', ')}`).join('; ');
    throw new BadUserInputError(`The auction is not valid: ${summary}.`, problems);
  }
  return {
    currency,
    rule,
    startingMinor: startingMinor as number,
    incrementMinor: increment ?? 1,
    reserveMinor,
    startsAt: new Date(startsAt as number).toISOString(),
    endsAt: new Date(endsAt as number).toISOString(),
    softCloseSeconds: softCloseMinutes * 60,
    promoterEnabled: input['promoterEnabled'] !== false,
  };
}
