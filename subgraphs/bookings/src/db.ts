import { pgAdapter, refuseUnboundedWrites } from '@market/platform';
import { PrismaClient } from './generated/prisma/client';

export function createPrisma(databaseUrl: string, poolSize: number, onQuery?: (sql: string) => void) {
  const client = new PrismaClient({
    adapter: pgAdapter(databaseUrl, poolSize),
    log: onQuery ? [{ emit: 'event', level: 'query' }] : [],
  });
  if (onQuery) (client as PrismaClient<'query'>).$on('query', (e) => onQuery(e.query));
  return client.$extends(refuseUnboundedWrites);
}

export type Db = ReturnType<typeof createPrisma>;
export type Tx = Parameters<Parameters<Db['$transaction']>[0]>[0];
/** Either the client or an open transaction: repositories work on both. */
export type DbOrTx = Db | Tx;

/** The SQLSTATE PostgreSQL reports for a row an exclusion constraint refuses. */
const EXCLUSION_VIOLATION = '23P01';

interface DriverErrorCause {
  originalCode?: string;
  originalMessage?: string;
}

/**
 * Whether a Prisma error is PostgreSQL refusing a row by the named exclusion constraint. Through
 * the pg driver adapter, Prisma 7 reports it as a known request error (P2039) whose
 * `meta.driverAdapterError.cause` carries the SQLSTATE and the message naming the constraint.
 */
export function isExclusionViolation(err: unknown, constraint: string): boolean {
  const cause = (err as { meta?: { driverAdapterError?: { cause?: DriverErrorCause } } } | null)?.meta?.driverAdapterError
    ?.cause;
  return cause?.originalCode === EXCLUSION_VIOLATION && (cause.originalMessage ?? '').includes(`"${constraint}"`);
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Keeps the ids a uuid column can hold: anything else cannot match a row, and would make PostgreSQL fail the query. */
export function uuidsOnly(ids: readonly string[]): string[] {
  return ids.filter((id) => UUID.test(id));
}
