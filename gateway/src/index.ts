import { readFileSync } from 'node:fs';
import { ConfigError, createLogger } from '@market/platform';
import { loadGatewayEnv, subgraphUrlOverrides } from './env';
import { createGateway } from './gateway';
import { SUPERGRAPH_PATH } from './compose';

/** The production gateway process: routes by the committed supergraph, URLs overridable by env. */
async function main() {
  const env = loadGatewayEnv();
  const logger = createLogger('gateway', env.LOG_LEVEL);
  const gateway = await createGateway({
    env,
    supergraphSdl: readFileSync(env.SUPERGRAPH_PATH ?? SUPERGRAPH_PATH, 'utf8'),
    subgraphUrls: subgraphUrlOverrides(env),
    logger,
  });
  const { url } = await gateway.listen(env.PORT, env.HOST);
  logger.info({ url }, 'gateway listening');
  const shutdown = async (signal: string) => {
    logger.info({ signal }, 'shutting down');
    await gateway.stop();
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
