import { GraphQLScalarType, Kind } from 'graphql';

/** RFC 3339 `date-time`: a full date, a time, and an offset (Z or ±hh:mm), nothing looser. */
const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(\.\d{1,9})?(?:[Zz]|([+-])(\d{2}):(\d{2}))$/;

function daysIn(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

/**
 * An instant from client input: only RFC 3339 with an offset ("2027-02-28T10:00:00Z",
 * "2027-02-28T11:00:00+01:00"), and only real dates and times. `new Date()` alone would take
 * "2027-02-30" as March 2, a date without a time, or a time without an offset in the server's zone.
 */
function parseDateTime(value: unknown): Date {
  if (typeof value !== 'string') throw new TypeError('DateTime must be an RFC 3339 string such as 2026-11-22T10:00:00Z');
  const m = RFC3339.exec(value);
  if (!m)
    throw new TypeError(
      `DateTime must be RFC 3339 with an offset (2026-11-22T10:00:00Z or 2026-11-22T11:00:00+01:00); got "${value.slice(0, 40)}"`,
    );
  const [year, month, day, hour, minute, second] = m.slice(1, 7).map(Number) as [number, number, number, number, number, number];
  const offsetHours = m[9] === undefined ? 0 : Number(m[9]);
  const offsetMinutes = m[10] === undefined ? 0 : Number(m[10]);
  if (
    month < 1 ||
    month > 12 ||
    day < 1 ||
    day > daysIn(year, month) ||
    hour > 23 ||
    minute > 59 ||
    second > 59 ||
    offsetHours > 23 ||
    offsetMinutes > 59
  ) {
    throw new TypeError(`${value.slice(0, 40)} is not a real date and time`);
  }
  const date = new Date(value);
  if (Number.isNaN(date.getTime())) throw new TypeError(`${value.slice(0, 40)} is not a real date and time`);
  return date;
}

function toDate(value: unknown): Date {
  const date = value instanceof Date ? value : typeof value === 'string' || typeof value === 'number' ? new Date(value) : null;
  if (!date || Number.isNaN(date.getTime())) throw new TypeError('DateTime must be an ISO-8601 date-time string');
  return date;
}

/** Instants: RFC 3339 with an offset on input, always serialized in UTC. */
export const DateTimeScalar = new GraphQLScalarType<Date, string>({
  name: 'DateTime',
  description: 'An instant, as an RFC 3339 string with an offset; answered in UTC (2026-11-22T10:00:00.000Z).',
  serialize: (value) => toDate(value).toISOString(),
  parseValue: (value) => parseDateTime(value),
  parseLiteral: (ast) => {
    if (ast.kind !== Kind.STRING) throw new TypeError('DateTime must be a string');
    return parseDateTime(ast.value);
  },
});

const LOCAL_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

function checkLocalDate(value: unknown): string {
  if (typeof value !== 'string' || !LOCAL_DATE.test(value)) throw new TypeError('Date must be YYYY-MM-DD');
  const d = new Date(`${value}T00:00:00Z`);
  if (Number.isNaN(d.getTime()) || d.toISOString().slice(0, 10) !== value) throw new TypeError(`${value} is not a calendar date`);
  return value;
}

/** A calendar date with no time zone (a check-in day), as YYYY-MM-DD. */
export const LocalDateScalar = new GraphQLScalarType<string, string>({
  name: 'Date',
  description: 'A calendar date without a time zone, as YYYY-MM-DD (local to the listing).',
  serialize: (value) => (value instanceof Date ? value.toISOString().slice(0, 10) : checkLocalDate(value)),
  parseValue: checkLocalDate,
  parseLiteral: (ast) => {
    if (ast.kind !== Kind.STRING) throw new TypeError('Date must be a string');
    return checkLocalDate(ast.value);
  },
});
