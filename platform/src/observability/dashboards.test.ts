import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { collectProcessMetrics, metricsRegistry } from './metrics';

const DASHBOARDS = path.resolve(__dirname, '../../../ops/grafana/dashboards');

/** The series names a metric of the registry is exposed under (a histogram as _bucket, _count, _sum). */
function exportedSeries(): Set<string> {
  collectProcessMetrics();
  const names = new Set<string>();
  for (const metric of metricsRegistry.getMetricsAsArray()) {
    const { name, type } = metric as unknown as { name: string; type: string };
    names.add(name);
    if (type === 'histogram') for (const suffix of ['_bucket', '_count', '_sum']) names.add(name + suffix);
  }
  return names;
}

interface Panel {
  title: string;
  datasource?: { uid?: string };
  targets?: { expr?: string }[];
}

describe('Grafana dashboards (ops/grafana/dashboards)', () => {
  const files = readdirSync(DASHBOARDS).filter((f) => f.endsWith('.json'));
  const exported = exportedSeries();

  it('are the four the operations section names', () => {
    expect(files.sort()).toEqual(['events-and-lag.json', 'gateway-overview.json', 'subgraph-red.json', 'subscriptions.json']);
  });

  it.each(files)('%s queries only metrics the code exports, through the provisioned Prometheus', (file) => {
    const dashboard = JSON.parse(readFileSync(path.join(DASHBOARDS, file), 'utf8')) as { uid: string; panels: Panel[] };
    expect(dashboard.uid).toMatch(/^market-/);
    expect(dashboard.panels.length).toBeGreaterThan(0);
    for (const panel of dashboard.panels) {
      expect(panel.datasource?.uid).toBe('prometheus');
      expect(panel.targets?.length).toBeGreaterThan(0);
      for (const target of panel.targets ?? []) {
        const named = target.expr?.match(/\bmarket_[a-z0-9_]+/g) ?? [];
        expect(named.length).toBeGreaterThan(0);
        const unknown = named.filter((name) => !exported.has(name));
        expect({ panel: panel.title, unknown }).toEqual({ panel: panel.title, unknown: [] });
      }
    }
  });
});
