import type { CreateAuctionArgs } from './create-auction-args';

/** A failure the user can act on, with its explanation. */
export class CliError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CliError';
  }
}

const SIGN_IN = `mutation ($input: SignInInput!) { signIn(input: $input) { __typename ... on AuthPayload { accessToken } } }`;
const CREATE = `mutation ($input: CreateAuctionInput!) { createAuction(input: $input) {
  __typename
  ... on Auction { id status rule currency startingPrice reservePrice minimumIncrement startsAt endsAt softCloseSeconds promoterEnabled listing { id title } }
  ... on ListingAlreadyAuctioned { auction { id status endsAt } } } }`;

interface GraphQLError {
  message: string;
  extensions?: { code?: string; fields?: Record<string, string[]> };
}

type Fetch = (
  url: string,
  init: { method: string; headers: Record<string, string>; body: string },
) => Promise<{ status: number; text(): Promise<string> }>;

async function call(
  fetcher: Fetch,
  url: string,
  query: string,
  variables: Record<string, unknown>,
  token?: string,
): Promise<Record<string, unknown>> {
  let response;
  try {
    response = await fetcher(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: JSON.stringify({ query, variables }),
    });
  } catch (err) {
    throw new CliError(
      `Cannot reach the API at ${url} (${err instanceof Error ? ((err.cause as Error | undefined)?.message ?? err.message) : String(err)}). Is it running (npm start)? Use --url otherwise.`,
    );
  }
  const text = await response.text();
  let body: { data?: Record<string, unknown> | null; errors?: GraphQLError[] };
  try {
    body = JSON.parse(text) as typeof body;
  } catch {
    throw new CliError(`The API at ${url} answered HTTP ${response.status} with something that is not GraphQL: ${text.slice(0, 200)}`);
  }
  if (response.status === 401) throw new CliError(`The API refused the token: ${body.errors?.[0]?.message ?? 'sign in again'}.`);
  const error = body.errors?.[0];
  if (error) throw new CliError(explain(error));
  if (!body.data) throw new CliError(`The API answered HTTP ${response.status} without data.`);
  return body.data;
}

function explain(error: GraphQLError): string {
  const code = error.extensions?.code;
  const fields = error.extensions?.fields;
  const details = fields
    ? `\n${Object.entries(fields)
        .map(([f, problems]) => `  ${f}: ${problems.join(', ')}`)
        .join('\n')}`
    : '';
  switch (code) {
    case 'UNAUTHENTICATED':
      return `Not signed in: ${error.message}`;
    case 'FORBIDDEN':
      return `Not allowed: ${error.message}`;
    case 'NOT_FOUND':
      return `${error.message} Check the listing id (and that you can see it).`;
    case 'BAD_USER_INPUT':
      return `Invalid auction: ${error.message}${details}`;
    case 'RATE_LIMITED':
      return `Too many requests: ${error.message}`;
    default:
      return `The API failed (${code ?? 'no code'}): ${error.message}`;
  }
}

/** Signs in if needed, then creates the auction; the auction as the API returned it. */
export async function createAuctionThroughApi(args: CreateAuctionArgs, fetcher: Fetch): Promise<Record<string, unknown>> {
  let token: string;
  if ('token' in args.auth) token = args.auth.token;
  else {
    const data = await call(fetcher, args.url, SIGN_IN, { input: { email: args.auth.email, password: args.auth.password } });
    const result = data['signIn'] as { __typename: string; accessToken?: string };
    if (result.__typename !== 'AuthPayload' || !result.accessToken) {
      const why: Record<string, string> = {
        InvalidCredentials: 'wrong e-mail or password',
        EmailNotVerified: 'the e-mail address is not verified yet',
        AccountSuspended: 'the account is suspended',
      };
      throw new CliError(`Sign-in failed: ${why[result.__typename] ?? result.__typename}.`);
    }
    token = result.accessToken;
  }
  const data = await call(fetcher, args.url, CREATE, { input: args.input }, token);
  const created = data['createAuction'] as { __typename: string; auction?: { id: string; status: string; endsAt: string } } & Record<
    string,
    unknown
  >;
  if (created.__typename === 'ListingAlreadyAuctioned') {
    const a = created.auction!;
    throw new CliError(`This listing already has an auction that has not ended: ${a.id} (${a.status}, ends ${a.endsAt}).`);
  }
  const { __typename: _type, ...auction } = created;
  return auction;
}
