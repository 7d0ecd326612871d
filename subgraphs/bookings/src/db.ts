import { createPrismaClient } from '@market/platform';
import { PrismaClient } from './generated/prisma/client';

export function createPrisma(databaseUrl: string, poolSize: number, onQuery?: (sql: string, durationMs: number) => void) {
  return createPrismaClient(PrismaClient, databaseUrl, poolSize, onQuery);
}

export type Db = ReturnType<typeof createPrisma>;
export type Tx = Parameters<Parameters<Db['$transaction']>[0]>[0];
/** Either the client or an open transaction: repositories work on both. */
export type DbOrTx = Db | Tx;

/** The SQLSTATEs PostgreSQL reports for a row an exclusion or a unique constraint refuses. */
const EXCLUSION_VIOLATION = '23P01';
const UNIQUE_VIOLATION = '23505';

interface DriverErrorCause {
  originalCode?: string;
  originalMessage?: string;
}

/**
 * Whether a Prisma error is PostgreSQL refusing a row with `sqlState` by the named constraint or
 * index. Through the pg driver adapter, Prisma 7 reports it as a known request error whose
 * `meta.driverAdapterError.cause` carries the SQLSTATE and the message naming the constraint.
 */
function isViolation(err: unknown, sqlState: string, constraint: string): boolean {
  const cause = (err as { meta?: { driverAdapterError?: { cause?: DriverErrorCause } } } | null)?.meta?.driverAdapterError?.cause;
  return cause?.originalCode === sqlState && (cause.originalMessage ?? '').includes(`"${constraint}"`);
}

export function isExclusionViolation(err: unknown, constraint: string): boolean {
  return isViolation(err, EXCLUSION_VIOLATION, constraint);
}

export function isUniqueViolation(err: unknown, constraint: string): boolean {
  return isViolation(err, UNIQUE_VIOLATION, constraint);
}

/** SQLSTATEs after which the whole transaction may simply run again. */
const RETRYABLE = new Set(['40P01', '40001']);

function sqlStateOf(err: unknown): string | undefined {
  return (err as { meta?: { driverAdapterError?: { cause?: DriverErrorCause } } } | null)?.meta?.driverAdapterError?.cause?.originalCode;
}

/**
 * Runs a transaction again when PostgreSQL broke a deadlock by failing it. Two transactions that
 * insert conflicting rows under an exclusion constraint can each wait for the other (GiST has no
 * insertion lock like a unique btree); the retry then meets the winner's committed row and gets a
 * plain constraint violation.
 */
export async function retryOnDeadlock<T>(run: () => Promise<T>, attempts = 4): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await run();
    } catch (err) {
      if (attempt >= attempts || !RETRYABLE.has(sqlStateOf(err) ?? '')) throw err;
      await new Promise((resolve) => setTimeout(resolve, Math.random() * 20 * attempt));
    }
  }
}

/** Interactive transactions may queue for a pooled connection under load (a burst of bookings). */
export const TX_OPTIONS = { maxWait: 30_000, timeout: 30_000 } as const;
