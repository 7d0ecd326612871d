import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Agent } from 'undici';
import type { Fetcher, FetcherResponse } from '@apollo/utils.fetcher';
import { CALLER_HEADER, REQUEST_ID_HEADER, SIGNATURE_HEADER, encodeCaller, verifyRequest, type Identity } from '@market/platform';
import { dedupeFetcher, isQueryBody } from './subgraph-dedupe';
import { signedFetcher } from './signed-fetch';
import { BufferedResponse } from './subgraph-transport';

const ME = JSON.stringify({ query: '{me{id name}}', variables: {} });
const NAMED = JSON.stringify({ query: 'query Me__accounts__0{me{id name}}', variables: {}, operationName: 'Me__accounts__0' });
const MUTATION = JSON.stringify({ query: 'mutation Save__listings__0($id:ID!){saveListing(listingId:$id){id}}', variables: { id: 'l1' } });
const URL_ = 'http://subgraph.test/graphql';

const alice: Identity = { userId: 'alice', role: 'BUYER', sessionId: 's-alice' };
const bob: Identity = { userId: 'bob', role: 'BUYER', sessionId: 's-bob' };
const callerHeader = (identity: Identity | null, ip = '10.0.0.1') => encodeCaller({ identity, ip, userAgent: 'jest' });
const init = (caller: string, body: string, requestId = 'r') => ({
  method: 'POST',
  headers: { 'content-type': 'application/json', [CALLER_HEADER]: caller, [REQUEST_ID_HEADER]: requestId },
  body,
});

/** A subgraph stand-in: answers each call with the user it was made for, once `release()` is called. */
function heldSubgraph() {
  const calls: { caller: string; body: string }[] = [];
  const pending: (() => void)[] = [];
  const inner: Fetcher = async (url, options) => {
    const headers = options?.headers as Record<string, string>;
    const caller = headers[CALLER_HEADER];
    calls.push({ caller: caller ?? '', body: options?.body as string });
    await new Promise<void>((resolve) => pending.push(resolve));
    const who = caller
      ? (JSON.parse(Buffer.from(caller, 'base64url').toString('utf8')) as { identity: Identity | null })
      : { identity: null };
    return new BufferedResponse(
      url,
      200,
      'OK',
      new Map([['content-type', 'application/json']]),
      JSON.stringify({ data: { me: who.identity && { id: who.identity.userId } } }),
    );
  };
  return { inner, calls, release: () => pending.splice(0).forEach((r) => r()) };
}

const meOf = async (response: Promise<FetcherResponse>) =>
  ((await (await response).json()) as { data: { me: { id: string } | null } }).data.me?.id ?? null;
const tick = () => new Promise((r) => setImmediate(r));

describe('in-flight deduplication of subgraph calls', () => {
  it('sends identical concurrent queries of the same caller once, and each gets its own copy of the answer', async () => {
    const subgraph = heldSubgraph();
    const fetcher = dedupeFetcher(subgraph.inner);
    const a = callerHeader(alice);
    const first = fetcher(URL_, init(a, ME, 'r1'));
    const second = fetcher(URL_, init(a, ME, 'r2'));
    await tick();
    expect(subgraph.calls).toHaveLength(1);
    subgraph.release();
    const [one, two] = await Promise.all([first, second]);
    const [x, y] = await Promise.all([one.json(), two.json()]);
    expect(x).toEqual({ data: { me: { id: 'alice' } } });
    expect(y).toEqual(x);
    expect(y).not.toBe(x);
    expect(fetcher.inFlight()).toBe(0);
  });

  it('never lets two different callers share, even with identical bodies', async () => {
    const subgraph = heldSubgraph();
    const fetcher = dedupeFetcher(subgraph.inner);
    const answers = [
      meOf(fetcher(URL_, init(callerHeader(alice), ME))),
      meOf(fetcher(URL_, init(callerHeader(bob), ME))),
      // Same user from another session, another address, or signed out: other callers too.
      meOf(fetcher(URL_, init(callerHeader({ ...alice, sessionId: 's-alice-2' }), ME))),
      meOf(fetcher(URL_, init(callerHeader(alice, '10.0.0.2'), ME))),
      meOf(fetcher(URL_, init(callerHeader(null), ME))),
    ];
    await tick();
    expect(subgraph.calls).toHaveLength(5);
    subgraph.release();
    expect(await Promise.all(answers)).toEqual(['alice', 'bob', 'alice', 'alice', null]);
  });

  it('shares only queries: mutations, other bodies and calls without a caller always go on their own', async () => {
    const subgraph = heldSubgraph();
    const fetcher = dedupeFetcher(subgraph.inner);
    const a = callerHeader(alice);
    const all = [
      fetcher(URL_, init(a, MUTATION)),
      fetcher(URL_, init(a, MUTATION)),
      fetcher(URL_, init(a, ` ${ME}`)),
      fetcher(URL_, init(a, ` ${ME}`)),
      fetcher(URL_, { method: 'POST', headers: {}, body: ME }),
      fetcher(URL_, { method: 'POST', headers: {}, body: ME }),
    ];
    await tick();
    expect(subgraph.calls).toHaveLength(6);
    subgraph.release();
    await Promise.all(all);
    expect(isQueryBody(ME)).toBe(true);
    expect(isQueryBody(NAMED)).toBe(true);
    expect(isQueryBody(MUTATION)).toBe(false);
  });

  it('keeps nothing once the answer is in: the next identical call goes to the subgraph again', async () => {
    const subgraph = heldSubgraph();
    const fetcher = dedupeFetcher(subgraph.inner);
    const a = callerHeader(alice);
    const first = fetcher(URL_, init(a, NAMED));
    await tick();
    subgraph.release();
    await first;
    const again = fetcher(URL_, init(a, NAMED));
    await tick();
    expect(subgraph.calls).toHaveLength(2);
    subgraph.release();
    expect(await meOf(again)).toBe('alice');
  });

  it('shares a failure with the calls that waited for it, then forgets it', async () => {
    let calls = 0;
    const fetcher = dedupeFetcher(async () => {
      calls += 1;
      await tick();
      throw new Error('refused');
    });
    const a = callerHeader(alice);
    await expect(Promise.all([fetcher(URL_, init(a, ME)), fetcher(URL_, init(a, ME))])).rejects.toThrow('refused');
    expect(calls).toBe(1);
    expect(fetcher.inFlight()).toBe(0);
  });
});

describe('signed subgraph calls on undici, deduplicated, against a subgraph that checks signatures', () => {
  const secret = 'x'.repeat(32);
  let server: http.Server;
  let url: string;
  let seen: { caller: string; ok: boolean }[];
  const dispatcher = new Agent({ connections: 8 });

  beforeAll(async () => {
    server = http.createServer((req, res) => {
      let body = '';
      req.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
      req.on('end', () => {
        const verdict = verifyRequest(secret, {
          signatureHeader: req.headers[SIGNATURE_HEADER] as string,
          callerHeader: req.headers[CALLER_HEADER] as string,
          requestId: req.headers[REQUEST_ID_HEADER] as string,
          body,
        });
        seen.push({ caller: req.headers[CALLER_HEADER] as string, ok: verdict.ok });
        setTimeout(() => {
          res.writeHead(verdict.ok ? 200 : 401, { 'content-type': 'application/json' });
          res.end(
            JSON.stringify(
              verdict.ok
                ? { data: { me: verdict.caller.identity && { id: verdict.caller.identity.userId } } }
                : { errors: [{ message: verdict.reason }] },
            ),
          );
        }, 30);
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`;
  });
  beforeEach(() => {
    seen = [];
  });
  afterAll(async () => {
    await dispatcher.close();
    await new Promise((r) => server.close(r));
  });

  it('gives every caller their own view under concurrency, and sends each caller’s query once', async () => {
    const fetcher = dedupeFetcher(signedFetcher(secret, dispatcher, 5000, 'undici'));
    const users = [alice, bob, { ...alice, userId: 'carol', sessionId: 's-carol' }];
    const requests = Array.from({ length: 30 }, (_, i) => users[i % users.length] as Identity);
    const answers = await Promise.all(requests.map((user, i) => meOf(fetcher(url, init(callerHeader(user), ME, `r${i}`)))));
    expect(answers).toEqual(requests.map((u) => u.userId));
    expect(seen.every((s) => s.ok)).toBe(true);
    expect(seen).toHaveLength(3);
  });

  it('reads status, headers and body as the data source does, on both fetchers', async () => {
    for (const kind of ['undici', 'fetch'] as const) {
      const response = await signedFetcher(secret, dispatcher, 5000, kind)(url, init(callerHeader(bob), ME));
      expect(response.status).toBe(200);
      expect(response.ok).toBe(true);
      expect(response.headers.get('Content-Type')).toMatch(/^application\/json/);
      expect(await response.clone().json()).toEqual({ data: { me: { id: 'bob' } } });
      expect(await response.json()).toEqual({ data: { me: { id: 'bob' } } });
    }
  });
});
