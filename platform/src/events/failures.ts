/**
 * Why a consumer's handler failed, which decides what the bus does with the event:
 * - `permanent`: retrying cannot help (the payload breaks its contract, the handler's own validation
 *   refused it). Straight to dead letters.
 * - `infrastructure`: something the handler depends on is away (database unreachable, connection
 *   dropped, pool exhausted, a timeout). Retried for as long as it takes, never dead-lettered: an
 *   outage must delay events, not lose them.
 * - `unknown`: anything else (a bug, a constraint the handler did not expect). Retried with backoff
 *   for the retry budget, then dead letters.
 */
export type FailureKind = 'permanent' | 'infrastructure' | 'unknown';

/**
 * Thrown by a handler for an event it can never handle, whatever happens meanwhile: it goes to dead
 * letters at once instead of being retried.
 */
export class PermanentEventError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'PermanentEventError';
  }
}

/** Socket errors of node (and node-postgres, ioredis, kafkajs, fetch) when a peer is away. */
const SOCKET_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'EHOSTDOWN',
  'ENETUNREACH',
  'ENETDOWN',
  'UND_ERR_SOCKET',
  'UND_ERR_CONNECT_TIMEOUT',
]);

/**
 * Prisma error codes that mean "the database is not there right now": P1001 can't reach, P1002
 * timed out, P1008 operation timed out, P1017 server closed the connection, P2024 timed out fetching
 * a connection from the pool, P2028 transaction API errors (could not start a transaction in time,
 * a transaction that expired while its connection hung).
 */
const PRISMA_CODES = new Set(['P1001', 'P1002', 'P1008', 'P1017', 'P2024', 'P2028']);

/** What @prisma/adapter-pg reports as `DriverAdapterError.cause.kind` for a lost or absent server. */
const DRIVER_ADAPTER_KINDS = new Set([
  'DatabaseNotReachable',
  'ConnectionClosed',
  'SocketTimeout',
  'TooManyConnections',
  'TransactionWriteConflict',
]);

/**
 * SQLSTATEs that clear up by themselves: class 08 connection exceptions, 53 insufficient resources
 * (53300 too many connections), 57P01-57P03 server shutting down or starting, 57014 statement
 * cancelled (a statement timeout), 40001/40P01 serialization failure and deadlock.
 */
function isTransientSqlState(code: string): boolean {
  return /^(08|53)[0-9A-Z]{3}$/.test(code) || ['57P01', '57P02', '57P03', '57014', '40001', '40P01', '55P03'].includes(code);
}

/** Messages of clients that do not set a code on these errors (node-postgres, Prisma, pools). */
const TRANSIENT_MESSAGES = [
  /connection terminated/i,
  /connection (?:error|closed|reset|refused|timeout)/i,
  /not queryable/i,
  /can't reach database server/i,
  /timeout exceeded when trying to connect/i,
  /timed out fetching a new connection/i,
  /unable to start a transaction in the given time/i,
  /server closed the connection unexpectedly/i,
  /terminating connection/i,
  /the database system is (?:starting up|shutting down|in recovery mode)/i,
  /too many (?:clients|connections)/i,
  /socket hang up/i,
];

/**
 * Classifies a handler's failure by walking everything it wraps: `cause` chains, Prisma's
 * `meta.driverAdapterError` (whose `cause.kind` names the driver's condition) and AggregateError's
 * `errors` (node's happy-eyeballs connect reports one error per address).
 */
export function classifyFailure(err: unknown): FailureKind {
  let infrastructure = false;
  const seen = new Set<unknown>();
  const queue: unknown[] = [err];
  while (queue.length > 0) {
    const current = queue.shift();
    if (current === null || current === undefined || seen.has(current)) continue;
    seen.add(current);
    if (current instanceof PermanentEventError) return 'permanent';
    if (typeof current !== 'object') continue;
    const e = current as {
      code?: unknown;
      kind?: unknown;
      originalCode?: unknown;
      message?: unknown;
      name?: unknown;
      cause?: unknown;
      errors?: unknown;
      meta?: { driverAdapterError?: unknown } | null;
    };
    // The same class loaded twice (two copies of this package) is still the same verdict.
    if (e.name === 'PermanentEventError' || e.name === 'InvalidEventError') return 'permanent';
    if (typeof e.code === 'string' && (SOCKET_CODES.has(e.code) || PRISMA_CODES.has(e.code) || isTransientSqlState(e.code)))
      infrastructure = true;
    if (typeof e.kind === 'string' && DRIVER_ADAPTER_KINDS.has(e.kind)) infrastructure = true;
    if (e.kind === 'postgres' && typeof (e as { code?: unknown }).code === 'string' && isTransientSqlState((e as { code: string }).code))
      infrastructure = true;
    if (typeof e.originalCode === 'string' && isTransientSqlState(e.originalCode)) infrastructure = true;
    if (typeof e.message === 'string' && TRANSIENT_MESSAGES.some((re) => re.test(e.message as string))) infrastructure = true;
    if (e.name === 'TimeoutError' || e.name === 'KafkaJSConnectionError' || e.name === 'KafkaJSRequestTimeoutError') infrastructure = true;
    queue.push(e.cause, e.meta?.driverAdapterError);
    if (Array.isArray(e.errors)) queue.push(...(e.errors as unknown[]));
  }
  return infrastructure ? 'infrastructure' : 'unknown';
}
