import type express from 'express';

/** /healthz (the process answers) and /readyz (it can serve). */
export function readinessRoutes(app: express.Express, subgraphUrls: Record<string, string>): void {
  app.get('/healthz', (_req, res) => {
    res.json({ status: 'ok', service: 'gateway' });
  });
  app.get('/readyz', async (_req, res) => {
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
    res.status(down.length ? 503 : 200).json({ status: down.length ? 'not ready' : 'ready', down });
  });
}
