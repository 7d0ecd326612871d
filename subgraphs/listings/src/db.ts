import { createPrismaClient } from '@market/platform';
import { PrismaClient } from './generated/prisma/client';

export function createPrisma(databaseUrl: string, poolSize: number, onQuery?: (sql: string, durationMs: number) => void) {
  return createPrismaClient(PrismaClient, databaseUrl, poolSize, onQuery);
}

export type Db = ReturnType<typeof createPrisma>;
export type Tx = Parameters<Parameters<Db['$transaction']>[0]>[0];
