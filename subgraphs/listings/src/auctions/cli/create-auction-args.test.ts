import { parseCreateAuctionArgs, parseWhen, UsageError } from './create-auction-args';

const NOW = new Date('2027-03-01T10:00:00.000Z');
const defaults = { url: 'http://localhost:4000/graphql' };

describe('auction:create arguments', () => {
  it('builds the createAuction input, with relative times and sign-in by e-mail', () => {
    const args = parseCreateAuctionArgs(
      [
        '--listing',
        'L1',
        '--start',
        'now',
        '--end',
        '+2d',
        '--starting-price',
        '250000',
        '--reserve',
        '300000',
        '--rule',
        'own_best',
        '--soft-close',
        '5',
        '--no-promoter',
        '--email',
        's@example.com',
        '--password',
        'pw',
      ],
      defaults,
      NOW,
    );
    expect(args).toEqual({
      url: defaults.url,
      auth: { email: 's@example.com', password: 'pw' },
      input: {
        listingId: 'L1',
        startsAt: '2027-03-01T10:00:00.000Z',
        endsAt: '2027-03-03T10:00:00.000Z',
        startingPrice: '250000',
        reservePrice: '300000',
        rule: 'OWN_BEST',
        softCloseMinutes: 5,
        promoterEnabled: false,
      },
    });
  });

  it('counts a relative end from the start, and takes a token from the environment', () => {
    const args = parseCreateAuctionArgs(
      ['--listing', 'L1', '--start', '2027-04-01T12:00:00Z', '--end', '+90m', '--starting-price', '1'],
      { ...defaults, token: 'tok' },
      NOW,
    );
    expect(args.auth).toEqual({ token: 'tok' });
    expect(args.input).toMatchObject({ startsAt: '2027-04-01T12:00:00.000Z', endsAt: '2027-04-01T13:30:00.000Z' });
  });

  it('says what is wrong, with the usage', () => {
    const attempt = (argv: string[]) => () => parseCreateAuctionArgs(argv, defaults, NOW);
    expect(attempt(['--listing', 'L1'])).toThrow(/Missing --start, --end, --starting-price/);
    expect(attempt(['--listing', 'L1', '--start', 'now', '--end', '+1d', '--starting-price', '1'])).toThrow(
      /--token <access token>, or --email and --password/,
    );
    expect(attempt(['--listing', 'L1', '--start', 'tomorrow', '--end', '+1d', '--starting-price', '1', '--token', 't'])).toThrow(
      /"tomorrow" is not a time/,
    );
    expect(
      attempt(['--listing', 'L1', '--start', 'now', '--end', '+1d', '--starting-price', '1', '--token', 't', '--rule', 'dutch']),
    ).toThrow(/--rule must be/);
    expect(attempt(['--bogus'])).toThrow(UsageError);
    expect(() => parseWhen('2027-13-45T00:00:00Z', NOW)).toThrow(UsageError);
  });
});
