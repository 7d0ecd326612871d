import DataLoader from 'dataloader';
import { dataloaderBatchSize } from './observability/metrics';
import { currentService } from './observability/service-scope';

/**
 * A loader that fetches many rows by key in one query and hands each key its row (or null),
 * in the order DataLoader asked for them.
 */
export function loaderByKey<K extends string, V>(
  fetch: (keys: readonly K[]) => Promise<V[]>,
  keyOf: (row: V) => K,
): DataLoader<K, V | null> {
  return new DataLoader<K, V | null>(async (keys) => {
    dataloaderBatchSize.observe({ service: currentService() }, keys.length);
    const rows = await fetch(keys);
    const byKey = new Map<K, V>();
    for (const row of rows) byKey.set(keyOf(row), row);
    return keys.map((k) => byKey.get(k) ?? null);
  });
}

/** A loader for one-to-many lists: all children of many parents in one query. */
export function loaderOfLists<K extends string, V>(
  fetch: (keys: readonly K[]) => Promise<V[]>,
  parentOf: (row: V) => K,
): DataLoader<K, V[]> {
  return new DataLoader<K, V[]>(async (keys) => {
    dataloaderBatchSize.observe({ service: currentService() }, keys.length);
    const rows = await fetch(keys);
    const byKey = new Map<K, V[]>();
    for (const row of rows) {
      const k = parentOf(row);
      const list = byKey.get(k);
      if (list) list.push(row);
      else byKey.set(k, [row]);
    }
    return keys.map((k) => byKey.get(k) ?? []);
  });
}

export { DataLoader };
