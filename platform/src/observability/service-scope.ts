import { AsyncLocalStorage } from 'node:async_hooks';

/**
 * Which service the current request belongs to, for metrics recorded deep in shared code (DataLoader
 * batches) that has no name of its own. The embedded stack runs all services in one process, so a
 * module-level name would not do.
 */
const scope = new AsyncLocalStorage<string>();

export function inServiceScope<T>(service: string, fn: () => T): T {
  return scope.run(service, fn);
}

export function currentService(): string {
  return scope.getStore() ?? 'unknown';
}
