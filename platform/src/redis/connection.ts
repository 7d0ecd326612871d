import { Redis, type RedisOptions } from 'ioredis';
import type { Logger } from '../logger';
import { backoffDelay } from '../events/bus';

export interface RedisConnectionOptions {
  /** Shown in logs and in `CLIENT LIST`. */
  name?: string;
  /**
   * A command with no reply within this time fails. Covers a hung Redis and commands caught in
   * flight by a dropped connection, which ioredis would otherwise hold until it reconnects.
   */
  commandTimeoutMs?: number;
  connectTimeoutMs?: number;
  /** Reconnect delays grow exponentially up to this cap and never stop. */
  maxReconnectDelayMs?: number;
  /** Minimum interval between two log lines of the same kind, so an outage logs a line, not a flood. */
  logIntervalMs?: number;
}

export const REDIS_CONNECTION_DEFAULTS = {
  name: 'redis',
  commandTimeoutMs: 1_000,
  connectTimeoutMs: 3_000,
  maxReconnectDelayMs: 2_000,
  logIntervalMs: 30_000,
} satisfies Required<RedisConnectionOptions>;

/**
 * A Redis client that never makes a request wait for Redis: while the connection is down commands
 * fail at once (no offline queue) and callers fall back; the client reconnects by itself, forever.
 * The URL is never logged (it may carry a password).
 */
export function createRedis(url: string, logger: Logger, options: RedisConnectionOptions = {}): Redis {
  const o = { ...REDIS_CONNECTION_DEFAULTS, ...options };
  const client = new Redis(url, resilientOptions(o));
  watchConnection(client, logger, o);
  return client;
}

/**
 * A second connection with the source's settings, for example the dedicated subscriber of pub/sub
 * (a connection in subscriber mode can run no other command). It gets its own name and logs.
 */
export function duplicateRedis(
  client: Redis,
  logger: Logger,
  options: Pick<RedisConnectionOptions, 'name' | 'logIntervalMs'> = {},
  override: Partial<RedisOptions> = {},
): Redis {
  const o = { ...REDIS_CONNECTION_DEFAULTS, ...options };
  const copy = client.duplicate({ connectionName: o.name, ...override });
  watchConnection(copy, logger, o);
  return copy;
}

function resilientOptions(o: Required<RedisConnectionOptions>): RedisOptions {
  return {
    connectionName: o.name,
    lazyConnect: false,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    // A command whose caller already got an error must not run minutes later after a reconnect
    // (a stale cache write, a rate-limit hit counted twice).
    autoResendUnfulfilledCommands: false,
    commandTimeout: o.commandTimeoutMs,
    connectTimeout: o.connectTimeoutMs,
    keepAlive: 10_000,
    retryStrategy: (attempt) => reconnectDelay(attempt, o.maxReconnectDelayMs),
    // After a failover the old primary answers READONLY: reconnect to find the new one.
    reconnectOnError: (err) => err.message.startsWith('READONLY'),
  };
}

/** Exponential backoff with jitter, capped, so replicas don't reconnect in lockstep. */
export function reconnectDelay(attempt: number, capMs: number): number {
  return Math.round(backoffDelay({ attempts: Number.POSITIVE_INFINITY, initialDelayMs: 50, maxDelayMs: capMs }, attempt));
}

function watchConnection(client: Redis, logger: Logger, o: { name: string; logIntervalMs: number }): void {
  const throttle = new LogThrottle(o.logIntervalMs);
  const redis = o.name;
  let everReady = false;
  let downSince: number | undefined;

  // Without an 'error' listener ioredis prints every failed attempt to stderr.
  client.on('error', (err: Error & { code?: string }) => {
    throttle.log(
      logger,
      'warn',
      `error:${err.code ?? err.name}`,
      { redis, error: describeError(err) },
      'redis connection error; commands fail fast until it reconnects',
    );
  });
  client.on('close', () => {
    if (everReady && downSince === undefined) downSince = Date.now();
  });
  client.on('reconnecting', (delayMs: number) => {
    throttle.log(logger, 'info', 'reconnecting', { redis, delayMs }, 'redis reconnecting');
  });
  client.on('ready', () => {
    if (!everReady) logger.info({ redis }, 'redis connected');
    else logger.info({ redis, downForMs: downSince === undefined ? 0 : Date.now() - downSince }, 'redis reconnected');
    everReady = true;
    downSince = undefined;
  });
  client.on('end', () => logger.info({ redis }, 'redis connection closed for good'));
}

/**
 * Resolves once the client is ready, or after `timeoutMs` (true when ready). For the few writes that
 * are worth a short wait rather than the no-offline-queue fast failure, such as a session revocation
 * sent while the process is still connecting.
 */
export function whenReady(client: Redis, timeoutMs: number): Promise<boolean> {
  if (client.status === 'ready') return Promise.resolve(true);
  if (client.status === 'end' || client.status === 'close') return Promise.resolve(false);
  return new Promise((resolve) => {
    const done = (ready: boolean) => {
      clearTimeout(timer);
      client.off('ready', onReady);
      resolve(ready);
    };
    const onReady = () => done(true);
    const timer = setTimeout(() => done(false), timeoutMs);
    timer.unref();
    client.once('ready', onReady);
  });
}

export type RedisHealth = { ok: true; latencyMs: number } | { ok: false; status: string; error: string };

/** Readiness probe: a PING answered within `timeoutMs`. Never throws. */
export async function checkRedis(client: Redis, timeoutMs = 500): Promise<RedisHealth> {
  if (client.status !== 'ready') return { ok: false, status: client.status, error: 'not connected' };
  const started = performance.now();
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      client.ping(),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no PONG within ${timeoutMs} ms`)), timeoutMs);
      }),
    ]);
    return { ok: true, latencyMs: Math.round(performance.now() - started) };
  } catch (err) {
    return { ok: false, status: client.status, error: describeError(err).message };
  } finally {
    clearTimeout(timer);
  }
}

export function describeError(err: unknown): { message: string; code?: string } {
  if (err instanceof Error) {
    const code = (err as { code?: unknown }).code;
    return typeof code === 'string' ? { message: err.message, code } : { message: err.message };
  }
  return { message: String(err) };
}

type Level = 'error' | 'warn' | 'info';

/**
 * Writes at most one line per kind per interval and says how many it skipped, so a Redis outage
 * under load produces a few log lines instead of one per request. Kinds must be a small fixed
 * set (an operation name, an error code), never a key or a user id.
 */
export class LogThrottle {
  private readonly kinds = new Map<string, { last: number; suppressed: number }>();

  constructor(
    private readonly intervalMs = REDIS_CONNECTION_DEFAULTS.logIntervalMs,
    private readonly now: () => number = Date.now,
  ) {}

  /** Whether a line of this kind may be written now, and how many were skipped before it. */
  take(kind: string): { suppressed: number } | undefined {
    const now = this.now();
    const seen = this.kinds.get(kind);
    if (seen && now - seen.last < this.intervalMs) {
      seen.suppressed++;
      return undefined;
    }
    this.kinds.set(kind, { last: now, suppressed: 0 });
    return { suppressed: seen?.suppressed ?? 0 };
  }

  log(logger: Logger, level: Level, kind: string, fields: Record<string, unknown>, message: string): void {
    const taken = this.take(kind);
    if (!taken) return;
    logger[level](taken.suppressed > 0 ? { ...fields, suppressed: taken.suppressed } : fields, message);
  }
}
