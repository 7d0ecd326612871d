import path from 'node:path';
import type { SubgraphName } from '../subgraph-names';

/** The repository's root, from platform/src/db or platform/dist/db alike. */
export const REPO_ROOT = path.resolve(__dirname, '..', '..', '..');

/**
 * Where a domain's database lives in the repository: `prisma/<domain>/schema.prisma` and its
 * `migrations/` folder. The one place that knows the layout; the generated client lands in the
 * domain's subgraph (`subgraphs/<domain>/src/generated/prisma`).
 */
export function migrationsOf(domain: SubgraphName): { migrationsDir: string; schemaPath: string } {
  return {
    migrationsDir: path.join(REPO_ROOT, 'prisma', domain, 'migrations'),
    schemaPath: path.join(REPO_ROOT, 'prisma', domain, 'schema.prisma'),
  };
}
