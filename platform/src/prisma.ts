import { PrismaPg } from '@prisma/adapter-pg';

/** The driver adapter every subgraph's Prisma client runs on: node-postgres, no native engine. */
export function pgAdapter(databaseUrl: string, poolSize: number): PrismaPg {
  return new PrismaPg({ connectionString: databaseUrl, max: poolSize, idleTimeoutMillis: 30_000 });
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
