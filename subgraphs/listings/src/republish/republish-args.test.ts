import { UsageError, parseRepublishArgs } from './republish-args';

describe('npm run republish arguments', () => {
  it('republishes everything for real by default', () => {
    expect(parseRepublishArgs([])).toEqual({ help: false, updatedSince: null, dryRun: false });
  });

  it('reads --since as a date (midnight UTC) or an instant with its zone, and --dry-run', () => {
    expect(parseRepublishArgs(['--since', '2026-01-31', '--dry-run'])).toEqual({
      help: false,
      updatedSince: new Date('2026-01-31T00:00:00Z'),
      dryRun: true,
    });
    expect(parseRepublishArgs(['--since=2026-01-31T13:00:00+01:00'])).toMatchObject({ updatedSince: new Date('2026-01-31T12:00:00Z') });
    expect(parseRepublishArgs(['--since', '2026-01-31T12:00:00.250Z'])).toMatchObject({
      updatedSince: new Date('2026-01-31T12:00:00.250Z'),
    });
  });

  it.each([
    [['--since', 'yesterday']],
    // A local time would mean a different instant on every machine.
    [['--since', '2026-01-31T12:00:00']],
    [['--since', '2026-02-30']],
    [['--since']],
    [['--dryrun']],
    [['everything']],
  ])('refuses %j', (argv) => {
    expect(() => parseRepublishArgs(argv)).toThrow(UsageError);
  });

  it('answers --help', () => {
    expect(parseRepublishArgs(['--help'])).toEqual({ help: true });
    expect(parseRepublishArgs(['-h', '--dry-run'])).toEqual({ help: true });
  });
});
