import { GraphQLError } from 'graphql';
import {
  AccessTokenVerifier,
  RedisRevocationFeed,
  RedisSessionRevocations,
  SESSION_ENDED_MESSAGE,
  createRedis,
  duplicateRedis,
  type Identity,
  type RevocationFeed,
  verifySessionToken,
  type Logger,
  type SessionRevocations,
  type SessionTokenVerdict,
} from '@market/platform';

/** Verifies an access token and refuses the tokens of ended sessions ('revoked'). */
export interface SessionVerifier {
  verify(token: string): Promise<SessionTokenVerdict>;
}

export interface SessionCheck {
  verifier: SessionVerifier;
  /**
   * For sockets already open, when ended sessions are checked here: `check` again at every
   * subscribe, and the `feed` of revocations as they happen (their sockets close at once).
   */
  live: { check: SessionRevocations['check']; feed: RevocationFeed | null } | null;
  close(): Promise<void>;
}

/**
 * The token verifier with the revocation check: Redis when REDIS_URL is set (accounts writes
 * there), else the embedded stack's shared store. Every authenticated request waits for this
 * check: a hung Redis costs at most 250 ms, then the check is skipped (fail open, warned) rather
 * than failing the request.
 */
export async function createSessionCheck(options: {
  jwtPublicKey: string;
  redisUrl: string | undefined;
  revocations: SessionRevocations | undefined;
  logger: Logger;
}): Promise<SessionCheck> {
  const { logger } = options;
  const tokens = await AccessTokenVerifier.fromPem(options.jwtPublicKey);
  const redis = options.redisUrl ? createRedis(options.redisUrl, logger, { name: 'gateway-revocations', commandTimeoutMs: 250 }) : null;
  const revocations: SessionRevocations | null = redis ? new RedisSessionRevocations(redis, logger) : (options.revocations ?? null);
  // The announcements come on a connection of their own, without the 250 ms command timeout.
  const subscriber = redis ? duplicateRedis(redis, logger, { name: 'gateway-revocation-feed' }, { commandTimeout: undefined }) : null;
  const feed: RevocationFeed | null = subscriber
    ? new RedisRevocationFeed(subscriber, logger)
    : options.revocations && 'onRevoked' in options.revocations
      ? (options.revocations as SessionRevocations & RevocationFeed)
      : null;
  if (!revocations) {
    logger.warn(
      'REDIS_URL is not set: ended sessions are not refused here; their access tokens work until they expire (accounts still refuses them)',
    );
  }
  return {
    verifier: { verify: (token) => verifySessionToken(tokens, revocations, token) },
    live: revocations ? { check: (token) => revocations.check(token), feed } : null,
    async close() {
      await subscriber?.quit().catch(() => subscriber.disconnect());
      await redis?.quit().catch(() => redis.disconnect());
    },
  };
}

const BEARER = /^Bearer ([A-Za-z0-9._~+/=-]+)$/;

function authError(message: string): GraphQLError {
  return new GraphQLError(message, { extensions: { code: 'UNAUTHENTICATED', http: { status: 401 } } });
}

/**
 * The caller of an HTTP request from its `Authorization` header: null without one, else the
 * verified identity; a malformed header or a refused token throws UNAUTHENTICATED (HTTP 401).
 */
export async function authenticateBearer(verifier: SessionVerifier, authorization: string | undefined): Promise<Identity | null> {
  if (!authorization) return null;
  const match = BEARER.exec(authorization);
  if (!match?.[1]) throw authError('The Authorization header must be `Bearer <access token>`.');
  const verdict = await verifier.verify(match[1]);
  if (verdict.ok) return verdict.identity;
  throw authError(
    verdict.reason === 'expired'
      ? 'Your access token has expired: refresh it with the refreshSession mutation and retry.'
      : verdict.reason === 'revoked'
        ? SESSION_ENDED_MESSAGE
        : 'Your access token is not valid: sign in again.',
  );
}
