import WebSocket from 'ws';
import { createClient, type Client } from 'graphql-ws';
import type { GraphQLFormattedError } from 'graphql';

/** One live subscription through a gateway, on a socket of its own, as a client app holds it. */
export interface LiveSubscription<T = any> {
  /** The data of each event, in arrival order. */
  events: T[];
  /** GraphQL errors delivered (a refused subscription gets them, then ends). */
  errors: GraphQLFormattedError[];
  /** Set when the socket closed or failed (a close event or an Error), null while open. */
  failure: unknown;
  /** Whether the subscription has ended (completed, refused, or its socket closed). */
  readonly ended: boolean;
  /** Resolves once `n` events have arrived; rejects after `timeoutMs`, or when it ends first. */
  waitFor(n: number, timeoutMs?: number): Promise<T[]>;
  /** Resolves when the subscription has ended. */
  done: Promise<void>;
  /** Closes the socket, as a client that loses its network or is put to sleep would. */
  disconnect(): Promise<void>;
}

/**
 * Subscribes with a real graphql-ws client to the gateway at `target.url` (the stack's, or any
 * other gateway's), signed in with `token` when given. No retries: a dropped socket ends it.
 */
export function subscribe<T = any>(
  target: { url: string },
  query: string,
  variables: Record<string, unknown> = {},
  token?: string,
): LiveSubscription<T> {
  const client: Client = createClient({
    url: target.url.replace(/^http/, 'ws'),
    webSocketImpl: WebSocket,
    retryAttempts: 0,
    lazy: false,
    onNonLazyError: () => undefined,
    connectionParams: token ? { authorization: `Bearer ${token}` } : {},
  });
  let ended = false;
  let finish!: () => void;
  const done = new Promise<void>((resolve) => {
    finish = () => {
      ended = true;
      // One socket per subscription: it goes with it.
      void client.dispose();
      resolve();
    };
  });
  const sub: LiveSubscription<T> = {
    events: [],
    errors: [],
    failure: null,
    get ended() {
      return ended;
    },
    done,
    async waitFor(n, timeoutMs = 10_000) {
      const deadline = Date.now() + timeoutMs;
      while (sub.events.length < n) {
        if (ended) throw new Error(`subscription ended after ${sub.events.length} of ${n} events: ${JSON.stringify(sub.errors)}`);
        if (Date.now() > deadline) throw new Error(`${sub.events.length} of ${n} events after ${timeoutMs} ms`);
        await new Promise((r) => setTimeout(r, 10));
      }
      return sub.events;
    },
    async disconnect() {
      finish();
      await client.dispose();
    },
  };
  client.subscribe<T>(
    { query, variables },
    {
      next: (result) => {
        if (result.data) sub.events.push(result.data as T);
        if (result.errors) sub.errors.push(...result.errors);
      },
      error: (err) => {
        sub.failure = err;
        finish();
      },
      complete: finish,
    },
  );
  return sub;
}
