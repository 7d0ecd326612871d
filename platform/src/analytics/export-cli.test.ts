import { readFileSync } from 'node:fs';
import path from 'node:path';
import { modelBlock, OUTBOX_MODELS_PATH } from '../db/outbox-models';
import { checkEnvExample } from '../testing/env-example';
import { analyticsEnvSchema } from './env';
import { ANALYTICS_MIGRATIONS, batchKey } from './exporter';
import { parseExportArgs } from './export-cli';

describe('npm run export:events arguments', () => {
  it('reads --since as a UTC day or an instant, and every domain by default', () => {
    expect(parseExportArgs(['--since', '2026-11-01'])).toEqual({
      since: new Date('2026-11-01T00:00:00.000Z'),
      domains: ['accounts', 'listings', 'bookings', 'messaging', 'engagement', 'instances'],
    });
    expect(parseExportArgs(['--since', '2026-11-01T12:30:00+01:00', '--domains', 'bookings,listings'])).toEqual({
      since: new Date('2026-11-01T11:30:00.000Z'),
      domains: ['bookings', 'listings'],
    });
  });

  it.each([
    [[], '--since is required'],
    [['--since'], '--since needs a date'],
    [['--since', 'yesterday'], '--since yesterday: not a date (YYYY-MM-DD or an ISO-8601 instant)'],
    [
      ['--since', '2026-11-01', '--domains', 'bookings,warehouse'],
      '--domains: warehouse is not one of accounts, listings, bookings, messaging, engagement, instances',
    ],
    [['--since', '2026-11-01', '--until', '2026-12-01'], 'unknown argument --until'],
  ])('refuses %j: %s', (argv, problem) => {
    expect(parseExportArgs(argv)).toBe(problem);
  });
});

it('names a batch file by day, event type and batch number, Hive style', () => {
  expect(batchKey({ id: '42', day: '2026-12-07', type: 'bookings.stay.confirmed' })).toBe(
    'day=2026-12-07/event_type=bookings.stay.confirmed/batch-000000000042.ndjson.gz',
  );
});

it('.env.example lists every variable the export reads, and is a valid configuration', () => {
  const check = checkEnvExample(analyticsEnvSchema, path.join(__dirname, '.env.example'), {});
  expect(check.missing).toEqual([]);
  expect(check.unknown).toEqual([]);
  expect(check.parsed).not.toThrow();
});

it("keeps the analytics database's inbox the canonical InboxEvent", () => {
  const schema = readFileSync(ANALYTICS_MIGRATIONS.schemaPath, 'utf8');
  const canonical = readFileSync(OUTBOX_MODELS_PATH, 'utf8');
  expect(modelBlock(schema, 'InboxEvent')).toBe(modelBlock(canonical, 'InboxEvent'));
});
