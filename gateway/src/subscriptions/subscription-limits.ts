export interface SubscriptionLimits {
  /** WebSocket ping interval; a client that misses a pong for as long is dropped. */
  keepAliveMs: number;
  /** Time allowed between the upgrade and `connection_init` (then 4408). */
  connectionInitWaitMs: number;
  /** Open client connections per gateway process (then 503 on upgrade). */
  maxConnections: number;
  /**
   * Open client connections from one client address per gateway process (then 429 on upgrade), so one
   * client cannot take the whole `maxConnections`; 0 turns the cap off. The address is the one HTTP
   * rate limits use.
   */
  maxConnectionsPerIp: number;
  /** Concurrent subscriptions on one connection. */
  maxSubscriptionsPerConnection: number;
  /** Upstream events waiting for one subscription before its client counts as too slow. */
  maxQueuedEvents: number;
  /** Unsent bytes on one client socket before it counts as too slow. */
  maxBufferedBytes: number;
  /** Largest message accepted from a client. */
  maxPayloadBytes: number;
  /** How long an upstream connection with no subscriptions stays open. */
  upstreamIdleCloseMs: number;
  upstreamKeepAliveMs: number;
  /** Grace after a close before a socket that does not finish the handshake is cut. */
  closeGraceMs: number;
}

export const DEFAULT_SUBSCRIPTION_LIMITS: SubscriptionLimits = {
  keepAliveMs: 12_000,
  connectionInitWaitMs: 3_000,
  maxConnections: 10_000,
  maxConnectionsPerIp: 256,
  maxSubscriptionsPerConnection: 50,
  maxQueuedEvents: 100,
  maxBufferedBytes: 1024 * 1024,
  maxPayloadBytes: 64 * 1024,
  upstreamIdleCloseMs: 5_000,
  upstreamKeepAliveMs: 10_000,
  closeGraceMs: 5_000,
};
