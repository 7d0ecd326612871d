/**
 * The six subgraphs of the side-by-side benchmark in one process of their own (stack/src/stack.ts,
 * in-process event bus), so their CPU time is read apart from the gateways'. The stack's own
 * gateway only serves the seeding; the measured gateways run in gateway-process.ts. IPC:
 *   { type: 'start', config } → { type: 'started', gatewayUrl, subgraphUrls }
 *   { type: 'measure' }       → { type: 'measured', cpuMs }
 *   { type: 'stop' }          → exits
 */
import '../sources';
import { createLogger, InProcessEventBus, SUBGRAPH_NAMES, type SubgraphName } from '@market/platform';
import { startStack, type RunningStack } from '../../stack/src/stack';

export interface SubgraphsConfig {
  databaseUrls: Record<SubgraphName, string>;
  signingSecret: string;
  jwtPrivateKey: string;
  jwtPublicKey: string;
  poolSize: number;
}

type Request = { type: 'start'; config: SubgraphsConfig } | { type: 'measure' } | { type: 'stop' };

let stack: RunningStack | null = null;
const reply = (message: object) => process.send?.(message);

process.on('message', (message: Request) => {
  void (async () => {
    switch (message.type) {
      case 'start': {
        const { config } = message;
        stack = await startStack({
          databaseUrls: config.databaseUrls,
          signingSecret: config.signingSecret,
          jwtPrivateKey: config.jwtPrivateKey,
          jwtPublicKey: config.jwtPublicKey,
          nodeEnv: 'test',
          logLevel: 'warn',
          bus: new InProcessEventBus(createLogger('events', 'warn')),
          extraEnv: { DATABASE_POOL_SIZE: String(config.poolSize) },
        });
        const running = stack;
        reply({
          type: 'started',
          gatewayUrl: running.url,
          subgraphUrls: Object.fromEntries(SUBGRAPH_NAMES.map((n) => [n, running.subgraphs[n].url])),
        });
        return;
      }
      case 'measure': {
        const cpu = process.cpuUsage();
        reply({ type: 'measured', cpuMs: (cpu.user + cpu.system) / 1000 });
        return;
      }
      case 'stop':
        await Promise.race([stack?.stop(), new Promise((r) => setTimeout(r, 5000))]);
        process.exit(0);
    }
  })().catch((err: unknown) => {
    console.error('[subgraphs-process]', err);
    process.exit(1);
  });
});
