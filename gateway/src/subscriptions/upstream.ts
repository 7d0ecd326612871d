import WebSocket from 'ws';
import type { FormattedExecutionResult } from 'graphql';
import { createClient, type Client } from 'graphql-ws';
import { signConnectionInit, signSubscribePayload, type Caller, type Logger } from '@market/platform';

export interface UpstreamOptions {
  signingSecret: string;
  logger: Logger;
  /** graphql-ws ping interval; a subgraph that does not pong in time is dropped (4499). */
  keepAliveMs: number;
  /** How long a connection with no subscriptions stays open for the next one. */
  idleCloseMs: number;
  /** Largest message accepted from a subgraph. */
  maxPayloadBytes: number;
}

export interface UpstreamOperation {
  query: string;
  operationName: string | undefined;
  variables: Record<string, unknown>;
}

/** What an upstream subscription reports; exactly one `error` or `complete` ends it. */
export interface UpstreamSink {
  next(result: FormattedExecutionResult): void;
  /** The subgraph refused or failed the subscription (GraphQL errors), or the connection was lost. */
  error(
    failure:
      { kind: 'refused'; errors: readonly { message: string; extensions?: Record<string, unknown> }[] } | { kind: 'lost'; reason: string },
  ): void;
  complete(): void;
}

/**
 * The gateway's connections to subgraphs for subscriptions: one graphql-ws connection per
 * subgraph URL, multiplexing every subscription the gateway holds there, opened on the first
 * subscription and closed `idleCloseMs` after the last. The connection and each subscribe are
 * signed like HTTP calls (platform subscriptions/protocol.ts), fresh for each send.
 *
 * A lost connection is not retried under the subscriptions: events published meanwhile are gone
 * (at-most-once), so each affected client subscription ends with an error that tells the client
 * to subscribe again and catch up from its cursor.
 */
export class UpstreamConnections {
  private readonly clients = new Map<string, Client>();
  private readonly counter = { open: 0 };
  private closed = false;

  constructor(private readonly options: UpstreamOptions) {}

  subscribe(url: string, operation: UpstreamOperation, caller: Caller, requestId: string, sink: UpstreamSink): () => void {
    if (this.closed) {
      sink.error({ kind: 'lost', reason: 'gateway shutting down' });
      return () => undefined;
    }
    const payload = signSubscribePayload(this.options.signingSecret, operation, caller, requestId);
    let done = false;
    const unsubscribe = this.client(url).subscribe<Record<string, unknown>, Record<string, unknown>>(payload, {
      next: (result) => {
        if (!done) sink.next(result);
      },
      error: (err) => {
        if (done) return;
        done = true;
        if (Array.isArray(err)) {
          sink.error({ kind: 'refused', errors: err as { message: string; extensions?: Record<string, unknown> }[] });
        } else {
          const reason = describeFailure(err);
          this.options.logger.warn({ url, requestId, reason }, 'upstream subscription lost');
          sink.error({ kind: 'lost', reason });
        }
      },
      complete: () => {
        if (done) return;
        done = true;
        sink.complete();
      },
    });
    return () => {
      done = true;
      unsubscribe();
    };
  }

  /** Open sockets to subgraphs. */
  sockets(): number {
    return this.counter.open;
  }

  async close(): Promise<void> {
    this.closed = true;
    const clients = [...this.clients.values()];
    this.clients.clear();
    await Promise.all(clients.map((c) => c.dispose()));
  }

  private client(url: string): Client {
    const existing = this.clients.get(url);
    if (existing) return existing;
    const { maxPayloadBytes } = this.options;
    const counter = this.counter;
    // graphql-ws constructs the socket itself; this subclass gives it ws's options and counts it.
    class UpstreamSocket extends WebSocket {
      constructor(address: string, protocols?: string | string[]) {
        super(address, protocols, { maxPayload: maxPayloadBytes, handshakeTimeout: 5_000, perMessageDeflate: false });
        this.once('open', () => {
          counter.open += 1;
          this.once('close', () => {
            counter.open -= 1;
          });
        });
      }
    }
    const client = createClient({
      url,
      webSocketImpl: UpstreamSocket,
      lazy: true,
      lazyCloseTimeout: this.options.idleCloseMs,
      keepAlive: this.options.keepAliveMs,
      connectionAckWaitTimeout: 5_000,
      retryAttempts: 0,
      // Signed at every (re)connect, so the signature is always fresh.
      connectionParams: () => signConnectionInit(this.options.signingSecret),
    });
    this.clients.set(url, client);
    return client;
  }
}

function describeFailure(err: unknown): string {
  if (err && typeof err === 'object' && 'code' in err) {
    const { code, reason } = err as { code: number; reason?: string };
    return `closed with ${code}${reason ? ` (${reason})` : ''}`;
  }
  if (err instanceof Error) return err.message;
  return 'connection failed';
}
