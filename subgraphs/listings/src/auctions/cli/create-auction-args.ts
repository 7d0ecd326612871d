import { parseArgs } from 'node:util';

/** What `npm run auction:create` was asked to do. */
export interface CreateAuctionArgs {
  url: string;
  auth: { token: string } | { email: string; password: string };
  input: Record<string, unknown>;
}

export const USAGE = `Usage: npm run auction:create -- --listing <id> --start <ISO time|now> --end <ISO time|+<n>(m|h|d)> --starting-price <amount>
         [--reserve <amount>] [--increment <amount>] [--currency <ISO 4217>] [--rule ASCENDING|OWN_BEST]
         [--soft-close <minutes>] [--no-promoter] (--token <access token> | --email <e-mail> --password <password>)
         [--url <gateway URL, default http://localhost:4000/graphql>]
Signs in as the seller (or uses the token) and creates the auction through the API.`;

export class UsageError extends Error {
  constructor(message: string) {
    super(`${message}\n\n${USAGE}`);
    this.name = 'UsageError';
  }
}

/** "now", "+30m", "+2h", "+7d" relative to `now`, or an ISO-8601 instant. */
export function parseWhen(text: string, now: Date, base?: Date): string {
  if (text === 'now') return now.toISOString();
  const relative = /^\+(\d+)([mhd])$/.exec(text);
  if (relative) {
    const unit = { m: 60_000, h: 3_600_000, d: 86_400_000 }[relative[2] as 'm' | 'h' | 'd'];
    return new Date((base ?? now).getTime() + Number(relative[1]) * unit).toISOString();
  }
  const at = Date.parse(text);
  if (Number.isNaN(at) || !/^\d{4}-\d{2}-\d{2}T/.test(text))
    throw new UsageError(`"${text}" is not a time: use an ISO-8601 instant (2027-01-31T18:00:00Z), now, or +<n>m/h/d.`);
  return new Date(at).toISOString();
}

export function parseCreateAuctionArgs(
  argv: string[],
  defaults: { url: string; token?: string | undefined },
  now = new Date(),
): CreateAuctionArgs {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      strict: true,
      options: {
        listing: { type: 'string' },
        start: { type: 'string' },
        end: { type: 'string' },
        'starting-price': { type: 'string' },
        reserve: { type: 'string' },
        increment: { type: 'string' },
        currency: { type: 'string' },
        rule: { type: 'string' },
        'soft-close': { type: 'string' },
        'no-promoter': { type: 'boolean' },
        token: { type: 'string' },
        email: { type: 'string' },
        password: { type: 'string' },
        url: { type: 'string' },
      },
    }));
  } catch (err) {
    throw new UsageError(err instanceof Error ? err.message : String(err));
  }
  const missing = (['listing', 'start', 'end', 'starting-price'] as const).filter((k) => !values[k]);
  if (missing.length > 0) throw new UsageError(`Missing ${missing.map((m) => `--${m}`).join(', ')}.`);
  const token = values.token ?? defaults.token;
  let auth: CreateAuctionArgs['auth'];
  if (token) auth = { token };
  else if (values.email && values.password) auth = { email: values.email, password: values.password };
  else throw new UsageError('Say who you are: --token <access token>, or --email and --password.');
  const rule = values.rule?.toUpperCase();
  if (rule && rule !== 'ASCENDING' && rule !== 'OWN_BEST')
    throw new UsageError(`--rule must be ASCENDING or OWN_BEST, not ${values.rule}.`);
  const softClose = values['soft-close'] === undefined ? undefined : Number(values['soft-close']);
  if (softClose !== undefined && !Number.isInteger(softClose)) throw new UsageError('--soft-close must be a whole number of minutes.');
  const startsAt = parseWhen(values.start as string, now);
  const input: Record<string, unknown> = {
    listingId: values.listing,
    startsAt,
    endsAt: parseWhen(values.end as string, now, new Date(startsAt)),
    startingPrice: values['starting-price'],
    ...(values.reserve ? { reservePrice: values.reserve } : {}),
    ...(values.increment ? { minimumIncrement: values.increment } : {}),
    ...(values.currency ? { currency: values.currency } : {}),
    ...(rule ? { rule } : {}),
    ...(softClose !== undefined ? { softCloseMinutes: softClose } : {}),
    ...(values['no-promoter'] ? { promoterEnabled: false } : {}),
  };
  return { url: values.url ?? defaults.url, auth, input };
}
