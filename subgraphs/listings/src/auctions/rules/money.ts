/**
 * Money as integers in a currency's minor unit (cents, or whole yen): bids are compared, doubled and
 * stored without a float or a rounding anywhere. An amount written with more decimals than its
 * currency has is refused, never rounded: "10.005" dollars is not a bid anyone meant.
 */

/** ISO 4217 minor-unit exponents that differ from 2; every other code has two decimals. */
const EXPONENTS: Record<string, number> = {
  BIF: 0,
  CLP: 0,
  DJF: 0,
  GNF: 0,
  ISK: 0,
  JPY: 0,
  KMF: 0,
  KRW: 0,
  PYG: 0,
  RWF: 0,
  UGX: 0,
  UYI: 0,
  VND: 0,
  VUV: 0,
  XAF: 0,
  XOF: 0,
  XPF: 0,
  BHD: 3,
  IQD: 3,
  JOD: 3,
  KWD: 3,
  LYD: 3,
  OMR: 3,
  TND: 3,
};

/** How many decimals amounts in this currency have. */
export function currencyDecimals(currency: string): number {
  return EXPONENTS[currency] ?? 2;
}

/**
 * The largest amount anyone may bid or set, in minor units: 10^14 (a trillion dollars). Far above any
 * property, and small enough that the promoter's doubling stays an exact JavaScript integer.
 */
export const MAX_MINOR = 100_000_000_000_000;

export type MoneyProblem = 'FORMAT' | 'NEGATIVE' | 'TOO_MANY_DECIMALS' | 'TOO_LARGE';

export const MONEY_PROBLEM_TEXT: Record<MoneyProblem, string> = {
  FORMAT: 'must be a decimal amount such as "1500" or "1500.50"',
  NEGATIVE: 'must not be negative',
  TOO_MANY_DECIMALS: 'has more decimals than the currency allows',
  TOO_LARGE: 'is larger than any auction accepts',
};

/** Parses "1500.5" in a currency into minor units (150050 for USD), or says what is wrong with it. */
export function parseAmount(text: string, currency: string): { minor: number } | { problem: MoneyProblem } {
  const trimmed = text.trim();
  if (/^-\s*\d/.test(trimmed)) return { problem: 'NEGATIVE' };
  const match = /^(\d{1,20})(?:\.(\d{1,20}))?$/.exec(trimmed);
  if (!match) return { problem: 'FORMAT' };
  const whole = match[1] as string;
  const fraction = (match[2] ?? '').replace(/0+$/, '');
  const decimals = currencyDecimals(currency);
  if (fraction.length > decimals) return { problem: 'TOO_MANY_DECIMALS' };
  const digits = (whole + fraction.padEnd(decimals, '0')).replace(/^0+(?=\d)/, '');
  // Compare as digit strings first: a 20-digit number is not exact as a JavaScript number.
  if (digits.length > String(MAX_MINOR).length || Number(digits) > MAX_MINOR) return { problem: 'TOO_LARGE' };
  return { minor: Number(digits) };
}

/** Minor units back to the decimal string clients see: 150050 USD → "1500.50", 1500 JPY → "1500". */
export function formatAmount(minor: number, currency: string): string {
  const decimals = currencyDecimals(currency);
  const sign = minor < 0 ? '-' : '';
  const digits = String(Math.abs(minor)).padStart(decimals + 1, '0');
  if (decimals === 0) return sign + digits;
  return `${sign}${digits.slice(0, -decimals)}.${digits.slice(-decimals)}`;
}
