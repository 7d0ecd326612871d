import type { Fetcher, FetcherResponse } from '@apollo/utils.fetcher';
import { CALLER_HEADER } from '@market/platform';
import { BufferedResponse } from './subgraph-transport';

/**
 * In-flight deduplication of identical subgraph calls (SUBGRAPH_DEDUPE): while a call is on its way,
 * another with the same subgraph URL, the same caller and the same body waits for its answer
 * instead of being sent again. Safe with the signed caller identity because the caller header
 * (verified identity with its session, client address and agent, exactly as signed) is part of the
 * key: two different callers never share, even when their bodies are identical (`me`).
 * Only queries share: the body must start as a query document does (`{"query":"query` or
 * `{"query":"{`); a mutation, or any body of another shape, is always sent on its own.
 * A follower's call reaches the subgraph under the first caller's request id and signature (same
 * caller, same body); nothing is kept after the answer: this is not a cache.
 */
export function dedupeFetcher(inner: Fetcher): Fetcher & { inFlight(): number } {
  const inFlight = new Map<string, Promise<BufferedResponse>>();
  const fetcher = async (url: string, init?: Parameters<Fetcher>[1]): Promise<FetcherResponse> => {
    const body = typeof init?.body === 'string' ? init.body : null;
    const caller = callerOf(init?.headers);
    if (body === null || caller === null || (init?.method ?? 'POST') !== 'POST' || !isQueryBody(body)) return inner(url, init);
    const key = `${url}\n${caller}\n${body}`;
    const shared = inFlight.get(key);
    if (shared) return (await shared).clone();
    const first = (async () => buffered(await inner(url, init)))();
    inFlight.set(key, first);
    try {
      return (await first).clone();
    } finally {
      inFlight.delete(key);
    }
  };
  return Object.assign(fetcher, { inFlight: () => inFlight.size });
}

/** A body the gateway's executor builds for a query: `{"query":"query …` or `{"query":"{…`. */
export function isQueryBody(body: string): boolean {
  return body.startsWith('{"query":"query') || body.startsWith('{"query":"{');
}

function callerOf(headers: unknown): string | null {
  if (!headers) return null;
  const get = (headers as { get?: unknown }).get;
  const value =
    typeof get === 'function'
      ? (get as (name: string) => string | null).call(headers, CALLER_HEADER)
      : (headers as Record<string, string>)[CALLER_HEADER];
  return typeof value === 'string' && value.length > 0 ? value : null;
}

async function buffered(response: FetcherResponse): Promise<BufferedResponse> {
  if (response instanceof BufferedResponse) return response;
  const text = await response.text();
  return new BufferedResponse(response.url, response.status, response.statusText, new Map(response.headers), text);
}
