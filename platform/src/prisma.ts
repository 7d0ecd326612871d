import { PrismaPg } from '@prisma/adapter-pg';

/** The driver adapter every subgraph's Prisma client runs on: node-postgres, no native engine. */
export function pgAdapter(databaseUrl: string, poolSize: number): PrismaPg {
  return new PrismaPg({ connectionString: databaseUrl, max: poolSize, idleTimeoutMillis: 30_000 });
}

/** What every generated client class's constructor takes here: the pg adapter, and query events when logged. */
export interface PrismaClientOptions {
  adapter: PrismaPg;
  log: { emit: 'event'; level: 'query' }[];
}

interface QueryEvents {
  $on(event: 'query', callback: (event: { query: string; duration: number | bigint }) => void): unknown;
}

/**
 * A domain's Prisma client: its generated class on the pg adapter, `onQuery` told every statement
 * (the query-count tests count them), and `refuseUnboundedWrites` applied. The extension adds no
 * API, so the result keeps the generated class's model API; an extended client has no `$on`.
 */
export function createPrismaClient<C extends object>(
  Client: new (options: PrismaClientOptions) => C,
  databaseUrl: string,
  poolSize: number,
  onQuery?: (sql: string, durationMs: number) => void,
): Omit<C, '$on'> {
  const client = new Client({
    adapter: pgAdapter(databaseUrl, poolSize),
    log: onQuery ? [{ emit: 'event', level: 'query' }] : [],
  });
  if (onQuery) (client as unknown as QueryEvents).$on('query', (e) => onQuery(e.query, Number(e.duration)));
  return (client as unknown as { $extends(extension: typeof refuseUnboundedWrites): Omit<C, '$on'> }).$extends(refuseUnboundedWrites);
}

type QueryArgs = { args: { where?: unknown }; query: (args: unknown) => Promise<unknown>; model?: string };

function hasWhere(where: unknown): boolean {
  return typeof where === 'object' && where !== null && Object.keys(where).length > 0;
}

/**
 * A Prisma client extension that refuses `updateMany` and `deleteMany` without a `where`:
 * a forgotten filter must fail loudly instead of rewriting a whole table.
 */
export const refuseUnboundedWrites = {
  name: 'refuse-unbounded-writes',
  query: {
    $allModels: {
      async updateMany({ args, query, model }: QueryArgs) {
        if (!hasWhere(args.where)) throw new Error(`updateMany on ${model} without a where clause was refused`);
        return query(args);
      },
      async deleteMany({ args, query, model }: QueryArgs) {
        if (!hasWhere(args.where)) throw new Error(`deleteMany on ${model} without a where clause was refused`);
        return query(args);
      },
    },
  },
};
