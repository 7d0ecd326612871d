import { dropDatabases } from '@market/platform/db';

export default async function globalTeardown(): Promise<void> {
  const run = globalThis.__MARKET_TEST_RUN__;
  if (!run) return;
  if (run.external) await dropDatabases(run.serverUrl, run.databases);
  await run.stop?.();
}
