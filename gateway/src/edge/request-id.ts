import { randomUUID } from 'node:crypto';

const REQUEST_ID_PATTERN = /^[A-Za-z0-9._-]{8,64}$/;

/**
 * The id a request is logged and forwarded under: the client's own `x-request-id` when it looks
 * like an id (so a client can find its request in our logs), else a fresh UUID. Anything else a
 * client sends there (long strings, newlines) never reaches a log line or a subgraph.
 */
export function requestIdFrom(given: string | undefined): string {
  return given && REQUEST_ID_PATTERN.test(given) ? given : randomUUID();
}
