import { readFileSync } from 'node:fs';
import path from 'node:path';
import { gql } from 'graphql-tag';
import {
  AccessTokenSigner,
  createLogger,
  createSubgraphServer,
  loaderByKey,
  startOutboxRelay,
  type Logger,
  type Subgraph,
  type SubgraphDeps,
} from '@market/platform';
import type { GraphQLResolverMap } from '@apollo/subgraph/dist/schema-helper';
import type { AccountsEnv } from './env';
import type { Context } from './context';
import { createPrisma } from './db';
import { resolvers } from './resolvers';
import { UserRepository } from './repositories/user-repository';
import { SessionRepository } from './repositories/session-repository';
import { AuthService } from './services/auth-service';

export { loadAccountsEnv, loadAccountsEnv as loadEnv, accountsEnvSchema, type AccountsEnv } from './env';

export const typeDefs = gql(readFileSync(path.join(__dirname, '..', 'schema.graphql'), 'utf8'));

/** Builds the accounts subgraph; nothing listens until the caller says so. */
export async function createSubgraph(
  env: AccountsEnv,
  logger: Logger = createLogger('accounts', env.LOG_LEVEL),
  deps: SubgraphDeps = { bus: null },
): Promise<Subgraph> {
  const db = createPrisma(env.DATABASE_URL, env.DATABASE_POOL_SIZE, deps.onQuery);
  const relay = deps.bus ? startOutboxRelay({ databaseUrl: env.DATABASE_URL, bus: deps.bus, logger }) : null;
  const users = new UserRepository(db);
  const auth = new AuthService(
    users,
    new SessionRepository(db),
    await AccessTokenSigner.fromPem(env.JWT_PRIVATE_KEY, env.ACCESS_TOKEN_TTL_SECONDS),
    env.SESSION_TTL_DAYS,
  );
  const server = await createSubgraphServer<Context>({
    name: 'accounts',
    typeDefs,
    resolvers: resolvers as GraphQLResolverMap<Context>,
    signingSecret: env.GATEWAY_SIGNING_SECRET,
    logger,
    exposeInternals: env.NODE_ENV === 'development',
    readiness: async () => {
      await db.$queryRaw`SELECT 1`;
    },
    createContext: (base) => ({
      ...base,
      auth,
      loaders: { userById: loaderByKey((ids) => users.findByIds(ids), (u) => u.id) },
    }),
  });
  return {
    name: 'accounts',
    server,
    async close() {
      await server.stop();
      await relay?.stop();
      await db.$disconnect();
    },
  };
}
