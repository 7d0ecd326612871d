import { GraphQLScalarType, Kind } from 'graphql';

function toDate(value: unknown): Date {
  const date = value instanceof Date ? value : typeof value === 'string' || typeof value === 'number' ? new Date(value) : null;
  if (!date || Number.isNaN(date.getTime())) throw new TypeError('DateTime must be an ISO-8601 date-time string');
  return date;
}

/** ISO-8601 instants, always serialized in UTC. */
export const DateTimeScalar = new GraphQLScalarType<Date, string>({
  name: 'DateTime',
  description: 'An instant, as an ISO-8601 string in UTC (2026-11-22T10:00:00.000Z).',
  serialize: (value) => toDate(value).toISOString(),
  parseValue: (value) => toDate(value),
  parseLiteral: (ast) => {
    if (ast.kind !== Kind.STRING) throw new TypeError('DateTime must be a string');
    return toDate(ast.value);
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
