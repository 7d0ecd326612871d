import { randomUUID } from 'node:crypto';
import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
import type { Identity } from '../identity';
import { signConnectionInit, signSubscribePayload } from '../subscriptions';

/** What one subscription to a subgraph has received so far. */
export interface LiveSubscription<T> {
  events: T[];
  /** GraphQL errors delivered, or what ended the subscription. */
  errors: unknown[];
  done: boolean;
  unsubscribe(): void;
}

export interface SignedSubscriber {
  /** Subscribes as `as` (null: anonymous) and collects what arrives. */
  subscribe<T = Record<string, unknown>>(as: Identity | null, query: string, variables?: Record<string, unknown>): LiveSubscription<T>;
  /** Closes every socket it opened. */
  close(): Promise<void>;
}

/**
 * Subscribes to a subgraph over graphql-ws the way the gateway does: a signed connection, and each
 * subscribe signed with the caller in its envelope. One socket per subscription, as tests want them
 * independent.
 */
export function signedSubscriber(url: string, signingSecret: string): SignedSubscriber {
  const clients: Client[] = [];
  return {
    subscribe<T>(as: Identity | null, query: string, variables: Record<string, unknown> = {}): LiveSubscription<T> {
      const client = createClient({
        url: url.replace(/^http/, 'ws'),
        webSocketImpl: WebSocket,
        retryAttempts: 0,
        connectionParams: () => signConnectionInit(signingSecret),
      });
      clients.push(client);
      const payload = signSubscribePayload(
        signingSecret,
        { query, variables },
        { identity: as, ip: null, userAgent: 'test' },
        randomUUID(),
      );
      const sub: LiveSubscription<T> = { events: [], errors: [], done: false, unsubscribe: () => undefined };
      sub.unsubscribe = client.subscribe<T>(payload, {
        next: (result) => {
          if (result.data) sub.events.push(result.data as T);
          if (result.errors) sub.errors.push(...result.errors);
        },
        error: (err) => {
          sub.errors.push(err);
          sub.done = true;
        },
        complete: () => {
          sub.done = true;
        },
      });
      return sub;
    },
    async close() {
      await Promise.all(clients.splice(0).map((c) => c.dispose()));
    },
  };
}
