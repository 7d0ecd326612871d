import type { Identity } from '@market/platform';

/** What the gateway knows about one request (HTTP) or one socket (graphql-ws), for every subgraph call. */
export interface GatewayContext {
  identity: Identity | null;
  requestId: string;
  ip: string | null;
  userAgent: string | null;
}
