import type { FetcherHeaders, FetcherResponse } from '@apollo/utils.fetcher';
import { errors as undiciErrors, type Dispatcher } from 'undici';

/** How a subgraph call goes over the wire (SUBGRAPH_FETCHER): undici's core API, or Node's fetch(). */
export type SubgraphFetcherKind = 'undici' | 'fetch';

/** One signed subgraph call, as the data source hands it over (headers already complete). */
export interface SubgraphCall {
  method: string;
  headers: Record<string, string>;
  body: string;
}

/** Sends a call; the answer's body is read in full before it resolves. */
export type SubgraphTransport = (url: string, call: SubgraphCall) => Promise<BufferedResponse>;

/** A read-only header list over what the subgraph answered (names lower-cased). */
class ResponseHeaders implements FetcherHeaders {
  constructor(private readonly map: Map<string, string>) {}
  get(name: string): string | null {
    return this.map.get(name.toLowerCase()) ?? null;
  }
  has(name: string): boolean {
    return this.map.has(name.toLowerCase());
  }
  append(): void {
    throw new TypeError('subgraph response headers are read-only');
  }
  delete(): void {
    throw new TypeError('subgraph response headers are read-only');
  }
  set(): void {
    throw new TypeError('subgraph response headers are read-only');
  }
  entries(): IterableIterator<[string, string]> {
    return this.map.entries();
  }
  keys(): IterableIterator<string> {
    return this.map.keys();
  }
  values(): IterableIterator<string> {
    return this.map.values();
  }
  [Symbol.iterator](): IterableIterator<[string, string]> {
    return this.map.entries();
  }
}

/**
 * A subgraph's answer with its body already in memory: what RemoteGraphQLDataSource reads
 * (status, Content-Type, json/text, clone), without web streams. Each `clone()` and each consumer of
 * a shared (deduplicated) answer parses the text again, so no two requests share one object.
 */
export class BufferedResponse implements FetcherResponse {
  readonly redirected = false;
  private used = false;

  constructor(
    readonly url: string,
    readonly status: number,
    readonly statusText: string,
    private readonly headerMap: Map<string, string>,
    private readonly bodyText: string,
  ) {}

  get ok(): boolean {
    return this.status >= 200 && this.status < 300;
  }
  get bodyUsed(): boolean {
    return this.used;
  }
  get headers(): FetcherHeaders {
    return new ResponseHeaders(this.headerMap);
  }
  private take(): string {
    if (this.used) throw new TypeError('Body is unusable: Body has already been read');
    this.used = true;
    return this.bodyText;
  }
  async text(): Promise<string> {
    return this.take();
  }
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- FetcherResponse's own signature
  async json(): Promise<any> {
    return JSON.parse(this.take());
  }
  async arrayBuffer(): Promise<ArrayBuffer> {
    const bytes = Buffer.from(this.take(), 'utf8');
    return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
  }
  clone(): BufferedResponse {
    return new BufferedResponse(this.url, this.status, this.statusText, this.headerMap, this.bodyText);
  }
}

/** An error named as the fetch() path names a timeout, so the data source reports `reason: timeout`. */
function timeoutError(timeoutMs: number, cause: unknown): Error {
  const err = new Error(`the subgraph did not answer within ${timeoutMs} ms`, { cause });
  err.name = 'TimeoutError';
  return err;
}

const STATUS_TEXT: Record<number, string> = {
  200: 'OK',
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  500: 'Internal Server Error',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
  504: 'Gateway Timeout',
};

/**
 * undici's core API: `dispatcher.request()` on the keep-alive agent. No Request/Headers objects, no
 * web streams, no AbortSignal per call: the agent's own header and body timers bound the call
 * (each at `timeoutMs`, so a subgraph that stops answering fails as a timeout).
 */
export function undiciTransport(dispatcher: Dispatcher, timeoutMs: number): SubgraphTransport {
  const targets = new Map<string, { origin: string; path: string }>();
  return async (url, call) => {
    let target = targets.get(url);
    if (!target) {
      const parsed = new URL(url);
      target = { origin: parsed.origin, path: `${parsed.pathname}${parsed.search}` };
      targets.set(url, target);
    }
    try {
      const response = await dispatcher.request({
        origin: target.origin,
        path: target.path,
        method: call.method as Dispatcher.HttpMethod,
        headers: call.headers,
        body: call.body,
        headersTimeout: timeoutMs,
        bodyTimeout: timeoutMs,
      });
      const text = await response.body.text();
      const headers = new Map<string, string>();
      for (const [name, value] of Object.entries(response.headers)) {
        if (value !== undefined) headers.set(name, Array.isArray(value) ? value.join(', ') : value);
      }
      return new BufferedResponse(url, response.statusCode, STATUS_TEXT[response.statusCode] ?? '', headers, text);
    } catch (err) {
      if (err instanceof undiciErrors.HeadersTimeoutError || err instanceof undiciErrors.BodyTimeoutError)
        throw timeoutError(timeoutMs, err);
      throw err;
    }
  };
}
