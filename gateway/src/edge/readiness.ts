import type express from 'express';
import type { SubgraphHealth } from './subgraph-health';

export interface ReadinessOptions {
  subgraphUrls: Record<string, string>;
  draining(): boolean;
  health: SubgraphHealth;
}

/**
 * /healthz: the process answers. /readyz: this gateway can serve, which a load balancer routes by:
 * 503 only while it drains. One subgraph being down does not make it unready (every other field
 * is still served, the missing ones answer SUBGRAPH_UNAVAILABLE), so a subgraph outage never takes
 * every gateway out of rotation. /readyz/subgraphs reports each subgraph's own /readyz, for
 * monitoring: 200 when all are ready, else 503 with the ones that are not; with each one's circuit
 * breaker and the last failure the gateway's own calls saw.
 */
export function readinessRoutes(app: express.Express, options: ReadinessOptions): void {
  const { subgraphUrls } = options;
  app.get('/healthz', (_req, res) => {
    res.json({ status: 'ok', service: 'gateway' });
  });
  app.get('/readyz', (_req, res) => {
    if (options.draining()) res.status(503).json({ status: 'draining' });
    else res.json({ status: 'ready' });
  });
  app.get('/readyz/subgraphs', async (_req, res) => {
    const results = await Promise.all(
      Object.entries(subgraphUrls).map(async ([name, url]) => {
        try {
          const r = await fetch(url.replace(/\/graphql$/, '/readyz'), { signal: AbortSignal.timeout(2000) });
          return [name, r.ok] as const;
        } catch {
          return [name, false] as const;
        }
      }),
    );
    const down = results.filter(([, ok]) => !ok).map(([n]) => n);
    const calls = options.health.report();
    res.status(down.length ? 503 : 200).json({
      status: down.length ? 'degraded' : 'ready',
      down,
      subgraphs: Object.fromEntries(
        results.map(([n, ok]) => [
          n,
          { status: ok ? 'ready' : 'down', circuit: calls[n]?.circuit ?? 'closed', lastFailure: calls[n]?.lastFailure ?? null },
        ]),
      ),
    });
  });
}
