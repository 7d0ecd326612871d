import path from 'node:path';

/** What the browser tests read from the environment (the only reader of process.env here). */
export const env = {
  /** The machine's PostgreSQL (fresh databases are made on it and dropped after); unset: an embedded one. */
  postgresUrl: process.env['POSTGRES_URL'] || undefined,
  /** Debian's chromium (apt-get install chromium); playwright-core drives it. */
  chromium: process.env['CHROMIUM_PATH'] || '/usr/bin/chromium',
  /** Short access tokens, so the token-expiry test sees the socket closed and resumed (accounts' minimum is 30). */
  accessTokenTtlSeconds: process.env['WEB_TEST_ACCESS_TOKEN_TTL_SECONDS'] || '30',
  /** Where the screenshots of the main screens go (README links them). */
  screenshots: process.env['WEB_SCREENSHOTS_DIR'] || path.resolve(__dirname, '..', 'screenshots'),
  /** Set to show the browser (needs a display). */
  headed: Boolean(process.env['WEB_TEST_HEADED']),
};
