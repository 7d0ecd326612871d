import Module from 'node:module';
import path from 'node:path';

/**
 * Loads the workspace packages from their TypeScript sources (as jest's moduleNameMapper does), so
 * the benchmark measures the code in the tree, not whatever `dist/` was last built. Imported first.
 */
const ROOT = path.resolve(__dirname, '..');
const SUBGRAPHS = ['accounts', 'listings', 'bookings', 'messaging', 'engagement', 'instances'];
const SOURCES: Record<string, string> = {
  '@market/platform': 'platform/src/index.ts',
  '@market/platform/testing': 'platform/src/testing/index.ts',
  '@market/platform/db': 'platform/src/db/index.ts',
  '@market/gateway': 'gateway/src/gateway.ts',
  ...Object.fromEntries(SUBGRAPHS.map((name) => [`@market/${name}`, `subgraphs/${name}/src/subgraph.ts`])),
};

type Resolve = (request: string, ...rest: unknown[]) => string;
const loader = Module as unknown as { _resolveFilename: Resolve };
const resolve = loader._resolveFilename;
loader._resolveFilename = function (this: unknown, request: string, ...rest: unknown[]) {
  const source = SOURCES[request];
  return resolve.call(this, source ? path.join(ROOT, source) : request, ...rest);
};
