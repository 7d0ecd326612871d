import { readFileSync } from 'node:fs';
import { ConfigError, createLogger, startTracing } from '@market/platform';
import { loadGatewayEnv, subgraphUrlOverrides } from './env';
import { createGateway } from './gateway';
import { SUPERGRAPH_PATH } from './supergraph-path';

/** The production gateway process: routes by the committed supergraph, URLs overridable by env. */
async function main() {
  const env = loadGatewayEnv();
  const logger = createLogger('gateway', env.LOG_LEVEL);
  const tracing = startTracing({ serviceName: 'gateway', otlpEndpoint: env.OTEL_EXPORTER_OTLP_ENDPOINT });
  const gateway = await createGateway({
    env,
    supergraphSdl: readFileSync(env.SUPERGRAPH_PATH ?? SUPERGRAPH_PATH, 'utf8'),
    subgraphUrls: subgraphUrlOverrides(env),
    logger,
  });
  const { url } = await gateway.listen(env.PORT, env.HOST);
  logger.info({ url }, 'gateway listening');
  // Drains instead of dying: /readyz turns 503, requests in flight finish (SHUTDOWN_TIMEOUT_MS at
  // most), sockets close with 1001, then exit 0. A second signal exits at once.
  const shutdown = async (signal: string) => {
    process.once(signal, () => process.exit(1));
    logger.info({ signal, deadlineMs: env.SHUTDOWN_TIMEOUT_MS }, 'draining');
    const cut = await gateway.shutdown();
    if (cut > 0) logger.warn({ cut }, 'requests still running at the shutdown deadline were cut');
    await tracing?.shutdown();
    logger.info('drained; exiting');
    process.exit(0);
  };
  process.once('SIGINT', () => void shutdown('SIGINT'));
  process.once('SIGTERM', () => void shutdown('SIGTERM'));
}

main().catch((err: unknown) => {
  if (err instanceof ConfigError) console.error(err.message);
  else createLogger('gateway').fatal({ err }, 'gateway failed to start');
  process.exit(1);
});
