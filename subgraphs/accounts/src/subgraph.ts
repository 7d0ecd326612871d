import os from 'node:os';
import path from 'node:path';
import {
  AccessTokenSigner,
  DataLoader,
  defineSubgraph,
  createObjectStorage,
  loaderByKey,
  MemorySessionRevocations,
  RedisSessionRevocations,
  type ChosenObjectStorage,
  type Logger,
  type SessionRevocations,
} from '@market/platform';
import { loadAccountsEnv, type AccountsEnv } from './env';
import type { Context } from './context';
import { createPrisma } from './db';
import { resolvers } from './resolvers';
import { consumeProfileCacheEvents } from './consumers/profile-cache';
import { UserRepository } from './repositories/user-repository';
import { UserProfileCache } from './repositories/user-profile-cache';
import { SessionRepository } from './repositories/session-repository';
import { CodeRepository } from './repositories/code-repository';
import { DevOutboxRepository } from './repositories/dev-outbox-repository';
import { ConnectionRepository } from './repositories/connection-repository';
import { RetentionRepository } from './repositories/retention-repository';
import { AuthService, type Transaction } from './services/auth-service';
import { SessionGuard } from './services/session-guard';
import { SessionService } from './services/session-service';
import { ProfileService } from './services/profile-service';
import { AdminService } from './services/admin-service';
import { SocialService } from './services/social-service';
import { DevOutboxService } from './services/dev-outbox-service';
import { Revocations } from './services/revocations';
import { accountLimits, type RateLimiter } from './services/rate-limits';
import { CODE_RULES, CodeHasher, deriveKey } from './services/codes-and-tokens';
import type { Mailer } from './adapters/mailer';
import { DevOutboxMailer } from './adapters/dev-outbox-mailer';
import { SmtpMailer } from './adapters/smtp-mailer';
import { createRetentionPurge } from './retention';

export { loadAccountsEnv, loadAccountsEnv as loadEnv, accountsEnvSchema, type AccountsEnv } from './env';

/** What accounts needs beyond every subgraph's deps; tests replace the limiter or the mailer. */
export interface AccountsDeps {
  rateLimiter: RateLimiter;
  mailer: Mailer;
  /**
   * Where ended sessions are announced to the gateway when REDIS_URL is not set: in embedded mode
   * the instance the gateway checks (the embedded stack shares one).
   */
  revocations: SessionRevocations;
}

async function createMailer(env: AccountsEnv, outbox: DevOutboxRepository, logger: Logger): Promise<Mailer> {
  if (env.SMTP_URL) return SmtpMailer.connect(env.SMTP_URL, env.MAIL_FROM, logger);
  if (env.NODE_ENV === 'production') {
    logger.warn('SMTP_URL is not set: one-time codes are kept in the dev_outbox table instead of being e-mailed');
  }
  return new DevOutboxMailer(outbox);
}

function createAvatarStorage(env: AccountsEnv, logger: Logger): Promise<ChosenObjectStorage> {
  return createObjectStorage(env, {
    root: path.join(env.DATA_DIR ?? path.join(os.tmpdir(), 'market-accounts'), 'uploads'),
    signingKey: deriveKey(env.UPLOAD_SIGNING_SECRET ?? env.JWT_PRIVATE_KEY, 'upload-urls'),
    what: 'avatars',
    logger,
  });
}

/** Users, sessions, profiles and connections: what accounts is made of; the platform host runs it. */
export const accounts = defineSubgraph<AccountsDeps>()({
  name: 'accounts',
  schemaPath: path.join(__dirname, '..', 'schema.graphql'),
  loadEnv: loadAccountsEnv,
  database: createPrisma,
  async build({ env, db, redis, logger }, deps) {
    const transaction: Transaction = (fn) => db.$transaction(fn);
    const users = new UserRepository(db);
    // Redis when REDIS_URL is set (limits and cached profiles shared by every replica), in-process otherwise.
    const profileCache = new UserProfileCache(users, redis.cache);
    const sessions = new SessionRepository(db);
    // Redis when REDIS_URL is set: every gateway replica reads the same keys.
    const revocationPort: SessionRevocations = redis.client
      ? new RedisSessionRevocations(redis.client, logger)
      : (deps.revocations ?? new MemorySessionRevocations());
    const revocations = new Revocations(revocationPort, logger);
    // Revocations written while Redis was unreachable are written again from accounts' own table.
    void revocations.replayFrom((since) => sessions.revokedSince(since));
    const outbox = new DevOutboxRepository(db);
    const connections = new ConnectionRepository(db);
    const guard = new SessionGuard(sessions);
    const limiter = deps.rateLimiter ?? redis.rateLimiter;
    const limits = accountLimits(env);
    const mailer = deps.mailer ?? (await createMailer(env, outbox, logger));
    const { storage, local, close: closeStorage } = await createAvatarStorage(env, logger);

    const auth = new AuthService({
      users,
      profileCache,
      sessions,
      codes: new CodeRepository(db, CODE_RULES),
      guard,
      transaction,
      signer: await AccessTokenSigner.fromPem(env.JWT_PRIVATE_KEY, env.ACCESS_TOKEN_TTL_SECONDS),
      hasher: new CodeHasher(deriveKey(env.OTP_SECRET ?? env.JWT_PRIVATE_KEY, 'one-time-codes')),
      mailer,
      limiter,
      limits,
      revocations,
      sessionTtlDays: env.SESSION_TTL_DAYS,
      refreshSuccessorKey: deriveKey(env.JWT_PRIVATE_KEY, 'refresh-successors'),
      refreshReuseGraceSeconds: env.REFRESH_REUSE_GRACE_SECONDS,
      logger,
    });
    const sessionService = new SessionService(sessions, guard, revocations);
    const profiles = new ProfileService({
      users,
      profileCache,
      guard,
      storage,
      limiter,
      limits,
      revocations,
      avatarMaxBytes: env.AVATAR_MAX_BYTES,
      logger,
    });
    const admin = new AdminService({ users, profileCache, sessions, guard, transaction, revocations });
    const social = new SocialService({ connections, users, guard });
    const devOutbox = new DevOutboxService(
      outbox,
      env.NODE_ENV === 'production' ? 'off' : env.NODE_ENV === 'development' ? 'loopback' : 'open',
    );
    const retention = createRetentionPurge({
      repository: new RetentionRepository(db),
      policy: {
        sessionsDays: env.RETENTION_SESSIONS_DAYS,
        codesHours: env.RETENTION_CODES_HOURS,
        devOutboxDays: env.RETENTION_DEV_OUTBOX_DAYS,
      },
      intervalMinutes: env.RETENTION_PURGE_INTERVAL_MINUTES,
      logger,
    });

    return {
      resolvers,
      context: (base): Context => ({
        ...base,
        auth,
        sessions: sessionService,
        profiles,
        admin,
        social,
        devOutbox,
        loaders: {
          userById: loaderByKey(
            (ids) => profileCache.findByIds(ids),
            (u) => u.id,
          ),
          followerCount: new DataLoader<string, number>(async (ids) => {
            const counts = new Map((await users.followerCounts(ids)).map((c) => [c.userId, c.count]));
            return ids.map((id) => counts.get(id) ?? 0);
          }),
        },
      }),
      // Accounts consumes its own user events to drop changed users from the profile cache.
      consumers: [(bus) => consumeProfileCacheEvents(bus, db, profileCache)],
      jobs: retention.job ? [retention.job] : [],
      // Embedded mode: this process serves the avatars it signs upload URLs for.
      routes: local ? (app) => local.mount(app) : undefined,
      onListen: local ? (port) => local.useBaseUrlIfUnset(`http://localhost:${port}/uploads`) : undefined,
      async close() {
        await mailer.close();
        closeStorage();
      },
      extras: { retention },
    };
  },
});

export const createSubgraph = accounts.create;
export type AccountsSubgraph = Awaited<ReturnType<typeof createSubgraph>>;
