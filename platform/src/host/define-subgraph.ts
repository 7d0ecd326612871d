import type { Logger } from '../logger';
import type { BaseContext } from '../context';
import type { HostDatabase, HostDeps, HostEnv, SubgraphDefinition } from './definition';
import { createHostedSubgraph, type HostedSubgraph } from './hosted-subgraph';

export type DefinedSubgraph<
  E extends HostEnv,
  Db extends HostDatabase,
  C extends BaseContext,
  D extends object,
  X extends object,
> = SubgraphDefinition<E, Db, C, D, X> & {
  /** Builds the subgraph on the host (tests and the embedded stack; processes use `runSubgraph`). */
  create(env: E, logger?: Logger, deps?: HostDeps & Partial<D>): Promise<HostedSubgraph<X>>;
};

/**
 * Declares a subgraph to the host: its name, SDL, env, database and how to build its parts from the
 * infrastructure. `D` are the extra dependencies tests may replace (a mailer, a rate limiter).
 */
export function defineSubgraph<D extends object = object>() {
  return <E extends HostEnv, Db extends HostDatabase, C extends BaseContext, X extends object = object>(
    definition: SubgraphDefinition<E, Db, C, D, X>,
  ): DefinedSubgraph<E, Db, C, D, X> => ({
    ...definition,
    create: (env, logger, deps) => createHostedSubgraph(definition, env, logger, deps),
  });
}
