/**
 * The gateway of the subscriptions benchmark, in a process of its own so its memory can be read
 * alone (run.ts forks it with --expose-gc). Driven over IPC:
 *   { type: 'start', config } → { type: 'started', url }
 *   { type: 'measure', gc? }  → { type: 'measured', rss, heapUsed, external, cpuMs, connections, subscriptions }
 *                               (after a full GC unless gc is false)
 *   { type: 'stop' }          → exits
 */
import '../sources';
import { readFileSync } from 'node:fs';
import { createLogger, type SubgraphName } from '@market/platform';
import { SUPERGRAPH_PATH } from '../../gateway/src/supergraph-path';
import { loadGatewayEnv } from '../../gateway/src/env';
import { createGateway, type GatewayServer } from '../../gateway/src/gateway';

export interface GatewayConfig {
  signingSecret: string;
  jwtPublicKey: string;
  subgraphUrls: Record<SubgraphName, string>;
}

export type GatewayRequest = { type: 'start'; config: GatewayConfig } | { type: 'measure'; gc?: boolean } | { type: 'stop' };

export interface GatewayMeasurement {
  type: 'measured';
  rss: number;
  heapUsed: number;
  external: number;
  /** CPU time (user + system) this process has used so far. */
  cpuMs: number;
  connections: number;
  subscriptions: number;
}

let gateway: GatewayServer | null = null;
const reply = (message: object) => process.send?.(message);
const collectGarbage = (global as { gc?: () => void }).gc;

process.on('message', (message: GatewayRequest) => {
  void (async () => {
    switch (message.type) {
      case 'start': {
        const { config } = message;
        gateway = await createGateway({
          env: loadGatewayEnv({
            NODE_ENV: 'test',
            LOG_LEVEL: 'warn',
            HOST: '127.0.0.1',
            PORT: '0',
            GATEWAY_SIGNING_SECRET: config.signingSecret,
            JWT_PUBLIC_KEY: config.jwtPublicKey,
            // Every simulated client connects from 127.0.0.1: lift the per-address cap.
            WS_MAX_CONNECTIONS_PER_IP: '0',
          }),
          supergraphSdl: readFileSync(SUPERGRAPH_PATH, 'utf8'),
          subgraphUrls: config.subgraphUrls,
          logger: createLogger('gateway', 'warn'),
        });
        const { url } = await gateway.listen(0, '127.0.0.1');
        reply({ type: 'started', url });
        return;
      }
      case 'measure': {
        if (message.gc !== false) {
          // Twice: the first pass frees what finalizers the second can then collect.
          collectGarbage?.();
          collectGarbage?.();
        }
        const memory = process.memoryUsage();
        const cpu = process.cpuUsage();
        const stats = gateway?.subscriptions.stats();
        const measurement: GatewayMeasurement = {
          type: 'measured',
          rss: memory.rss,
          heapUsed: memory.heapUsed,
          external: memory.external,
          cpuMs: (cpu.user + cpu.system) / 1000,
          connections: stats?.connections ?? 0,
          subscriptions: stats?.subscriptions ?? 0,
        };
        reply(measurement);
        return;
      }
      case 'stop':
        await gateway?.stop();
        process.exit(0);
    }
  })().catch((err: unknown) => {
    console.error('[gateway]', err);
    process.exit(1);
  });
});
