/** Money as exact decimal strings and bigint cents; never floating point. */

const DECIMAL = /^(-?)(\d+)(?:\.(\d+))?$/;

/** An exact decimal string as cents; more than two decimals round half up. */
export function toCents(amount: string): bigint {
  const match = DECIMAL.exec(amount.trim());
  if (!match) throw new RangeError(`${amount} is not a decimal amount`);
  const [, sign, whole, fraction = ''] = match;
  let cents = BigInt(`${whole}${fraction.padEnd(2, '0').slice(0, 2)}`);
  if (fraction.length > 2 && Number(fraction[2]) >= 5) cents += 1n;
  return sign ? -cents : cents;
}

/** Cents as a decimal string with two decimals. */
export function formatCents(cents: bigint): string {
  const negative = cents < 0n;
  const digits = (negative ? -cents : cents).toString().padStart(3, '0');
  return `${negative ? '-' : ''}${digits.slice(0, -2)}.${digits.slice(-2)}`;
}

/** `percent` % of an amount in cents, rounded half up to the cent. */
export function percentOfCents(cents: bigint, percent: number): bigint {
  if (!Number.isInteger(percent)) throw new RangeError(`${percent} is not a whole percent`);
  return (cents * BigInt(percent) + 50n) / 100n;
}

/**
 * An exact decimal string times a whole number, with two decimals ("120.5" × 3 = "361.50").
 * Money never passes through floating point. Inputs with more than two decimals round half up.
 */
export function multiplyMoney(amount: string, times: number): string {
  if (!Number.isInteger(times)) throw new RangeError(`cannot multiply ${amount} by ${times}`);
  return formatCents(toCents(amount) * BigInt(times));
}
