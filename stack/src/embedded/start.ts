import path from 'node:path';
import {
  ConfigError,
  createLogger,
  DEFAULT_SUBGRAPH_PORTS,
  InProcessEventBus,
  MemoryPubSub,
  SUBGRAPH_NAMES,
  startTracing,
  type SubgraphName,
} from '@market/platform';
import { startEmbeddedPostgres } from '../postgres';
import { applyMigrations, databaseUrl, ensureDatabases, migrationsOf } from '@market/platform/db';
import { startStack, type RunningStack } from '../stack';
import { loadEmbeddedEnv } from './env';
import { loadOrCreateDevSecrets } from './secrets';

/**
 * `npm start`: a real PostgreSQL (embedded, or POSTGRES_URL), migrations, the six subgraphs and
 * the gateway, in one process with an in-process event bus. Ctrl-C stops everything, the database too.
 */
async function main() {
  const started = Date.now();
  const env = loadEmbeddedEnv();
  const logger = createLogger('launcher', env.LOG_LEVEL);
  // One process, one tracer provider: every service's spans carry `market.service`.
  if (startTracing({ serviceName: 'market', otlpEndpoint: env.OTEL_EXPORTER_OTLP_ENDPOINT })) logger.info('exporting traces over OTLP');
  const secrets = await loadOrCreateDevSecrets(env.DATA_DIR);
  const names = Object.fromEntries(SUBGRAPH_NAMES.map((d) => [d, `market_${d}`])) as Record<SubgraphName, string>;
  // The analytics export's ledger, when the export is on (ANALYTICS_EXPORT_DIR).
  const analyticsDatabase = env.ANALYTICS_EXPORT_DIR ? ['market_analytics'] : [];

  let stopDatabase: (() => Promise<void>) | null = null;
  let serverUrl: string;
  if (env.POSTGRES_URL) {
    serverUrl = env.POSTGRES_URL;
    await ensureDatabases(serverUrl, [...Object.values(names), ...analyticsDatabase]);
    logger.info({ server: new URL(serverUrl).host }, 'using the PostgreSQL at POSTGRES_URL');
  } else {
    logger.info('starting the embedded PostgreSQL');
    const pg = await startEmbeddedPostgres({
      dataDir: path.join(env.DATA_DIR, 'postgres'),
      databases: [...Object.values(names), ...analyticsDatabase],
      persistent: true,
      log: (msg, extra) => logger.info(extra ?? {}, msg),
    });
    serverUrl = pg.adminUrl;
    stopDatabase = pg.stop;
    logger.info({ port: pg.port }, 'embedded PostgreSQL ready');
  }

  let stack: RunningStack | null = null;
  let stopping = false;
  const shutdown = async (code: number) => {
    if (stopping) return;
    stopping = true;
    logger.info('stopping');
    await stack?.stop().catch((err: unknown) => logger.error({ err }, 'stopping the services failed'));
    await stopDatabase?.().catch((err: unknown) => logger.error({ err }, 'stopping PostgreSQL failed'));
    process.exit(code);
  };
  process.once('SIGINT', () => void shutdown(0));
  process.once('SIGTERM', () => void shutdown(0));

  try {
    const databaseUrls = {} as Record<SubgraphName, string>;
    let done = 0;
    for (const domain of SUBGRAPH_NAMES) {
      databaseUrls[domain] = databaseUrl(serverUrl, names[domain]);
      const { applied } = await applyMigrations({
        databaseUrl: databaseUrls[domain],
        ...migrationsOf(domain),
      });
      done += 1;
      logger.info({ domain, applied: applied.length, progress: `${done}/${SUBGRAPH_NAMES.length}` }, 'migrations applied');
    }

    const offset = env.SUBGRAPH_BASE_PORT - DEFAULT_SUBGRAPH_PORTS.accounts;
    stack = await startStack({
      databaseUrls,
      signingSecret: secrets.signingSecret,
      jwtPrivateKey: secrets.jwtPrivateKey,
      jwtPublicKey: secrets.jwtPublicKey,
      nodeEnv: env.NODE_ENV,
      logLevel: env.LOG_LEVEL,
      host: env.HOST,
      gatewayPort: env.PORT,
      ports: Object.fromEntries(SUBGRAPH_NAMES.map((d) => [d, DEFAULT_SUBGRAPH_PORTS[d] + offset])),
      bus: new InProcessEventBus(createLogger('events', env.LOG_LEVEL)),
      pubsub: new MemoryPubSub(createLogger('pubsub', env.LOG_LEVEL)),
      extraEnv: { DATA_DIR: env.DATA_DIR },
      ...(env.ANALYTICS_EXPORT_DIR
        ? { analytics: { databaseUrl: databaseUrl(serverUrl, 'market_analytics'), dir: path.resolve(env.ANALYTICS_EXPORT_DIR) } }
        : {}),
    });
    logger.info({ url: stack.url, ms: Date.now() - started }, `ready: GraphQL at ${stack.url}`);
  } catch (err) {
    logger.fatal({ err }, 'start-up failed');
    await shutdown(1);
  }
}

main().catch((err: unknown) => {
  console.error(err instanceof ConfigError ? err.message : err);
  process.exit(1);
});
