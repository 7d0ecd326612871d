import { randomBytes } from 'node:crypto';
import { CALLER_HEADER, REQUEST_ID_HEADER, SIGNATURE_HEADER, encodeCaller, signRequest, type Identity } from '../identity';
import { generateAccessTokenKeys, type KeyPairPem } from '../tokens';
import type { SubgraphName } from '../subgraph-names';

/**
 * Test support. Tests run against real databases prepared by the jest global setup, which exports
 * one URL per domain as TEST_DATABASE_URL_<DOMAIN>.
 */
export function testDatabaseUrl(domain: SubgraphName): string {
  const url = process.env[`TEST_DATABASE_URL_${domain.toUpperCase()}`];
  if (!url)
    throw new Error(
      `TEST_DATABASE_URL_${domain.toUpperCase()} is not set: run tests with \`npm test\` (jest's global setup prepares the databases).`,
    );
  return url;
}

export interface TestSecrets extends KeyPairPem {
  signingSecret: string;
}

let secrets: Promise<TestSecrets> | undefined;
/** One signing secret and access-token key pair per test worker. */
export function testSecrets(): Promise<TestSecrets> {
  secrets ??= generateAccessTokenKeys().then((keys) => ({ ...keys, signingSecret: randomBytes(32).toString('hex') }));
  return secrets;
}

export interface GraphQLResponse<T = Record<string, unknown>> {
  status: number;
  data?: T | null;
  errors?: { message: string; path?: (string | number)[]; extensions?: Record<string, unknown> }[];
}

/** Calls a subgraph directly, signed as the gateway would sign it (or forged, when `secret` is wrong). */
export async function callSubgraph<T = Record<string, unknown>>(
  url: string,
  body: { query: string; variables?: Record<string, unknown> },
  options: { secret: string | null; identity?: Identity | null; headers?: Record<string, string> },
): Promise<GraphQLResponse<T>> {
  const text = JSON.stringify(body);
  const callerHeader = encodeCaller({ identity: options.identity ?? null, ip: '127.0.0.1', userAgent: 'jest' });
  const requestId = `test-${randomBytes(6).toString('hex')}`;
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    [CALLER_HEADER]: callerHeader,
    [REQUEST_ID_HEADER]: requestId,
    ...options.headers,
  };
  if (options.secret) headers[SIGNATURE_HEADER] = signRequest(options.secret, { callerHeader, requestId, body: text });
  const response = await fetch(url, { method: 'POST', headers, body: text });
  const json = (await response.json()) as Omit<GraphQLResponse<T>, 'status'>;
  return { status: response.status, ...json };
}

/** A string unique enough for test data made in parallel workers. */
export function unique(prefix = 't'): string {
  return `${prefix}${Date.now().toString(36)}${randomBytes(4).toString('hex')}`;
}
export * from './eventually';
export * from './private-redis';
export * from './signed-subscriber';
export * from './env-example';

/** Spans kept in memory, for tests that start tracing with `startTracing({ spanProcessors: [...] })`. */
export { InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan } from '@opentelemetry/sdk-trace-node';
