import { pgAdapter, refuseUnboundedWrites } from '@market/platform';
import { PrismaClient } from './generated/prisma/client';

export function createPrisma(databaseUrl: string, poolSize: number, onQuery?: (sql: string, durationMs: number) => void) {
  const client = new PrismaClient({
    adapter: pgAdapter(databaseUrl, poolSize),
    log: onQuery ? [{ emit: 'event', level: 'query' }] : [],
  });
  if (onQuery) (client as PrismaClient<'query'>).$on('query', (e) => onQuery(e.query, Number(e.duration)));
  return client.$extends(refuseUnboundedWrites);
}

export type Db = ReturnType<typeof createPrisma>;
export type Tx = Parameters<Parameters<Db['$transaction']>[0]>[0];
