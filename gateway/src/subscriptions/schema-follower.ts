import { RemoteGraphQLDataSource, type GraphQLDataSource, type ServiceMap } from '@apollo/gateway';
import type { Logger } from '@market/platform';
import { SupergraphPlanner } from './planner';

/** What the server needs from ApolloGateway to follow supergraph updates. */
export interface SchemaSource {
  onSchemaLoadOrUpdate(callback: (schema: { coreSupergraphSdl: string }) => void): () => void;
}

/**
 * The supergraph subscriptions are planned against: the one the gateway serves now, replaced when
 * the gateway loads a new one, with the data sources (the gateway's own signed ones) per subgraph.
 */
export class SchemaFollower {
  private current: SupergraphPlanner;
  private plannedSdl: string;
  private readonly services = new Map<string, { url: string; dataSource: GraphQLDataSource }>();
  private readonly stopFollowing: (() => void) | undefined;

  constructor(
    supergraphSdl: string,
    source: SchemaSource | undefined,
    private readonly buildService: (definition: { name: string; url: string }) => GraphQLDataSource,
    logger: Logger,
  ) {
    this.current = new SupergraphPlanner(supergraphSdl);
    this.plannedSdl = supergraphSdl;
    this.stopFollowing = source?.onSchemaLoadOrUpdate(({ coreSupergraphSdl }) => {
      if (coreSupergraphSdl === this.plannedSdl) return;
      try {
        this.current = new SupergraphPlanner(coreSupergraphSdl);
        this.plannedSdl = coreSupergraphSdl;
        logger.info('subscriptions follow the new supergraph');
      } catch (err) {
        logger.error({ err }, 'subscriptions could not load the new supergraph; keeping the previous one');
      }
    });
  }

  get planner(): SupergraphPlanner {
    return this.current;
  }

  /** The data source of every subgraph of the current supergraph. */
  serviceMap(): ServiceMap {
    return Object.fromEntries(this.current.subgraphs.map(({ name, url }) => [name, this.serviceFor(name, url)]));
  }

  /** ws:// URL of a subgraph (its routing URL, as the gateway's data source has it). */
  upstreamUrl(name: string): string {
    const metadata = this.current.subgraphs.find((s) => s.name === name);
    if (!metadata) throw new Error(`subgraph ${name} is not in the supergraph`);
    const source = this.serviceFor(name, metadata.url);
    const url = source instanceof RemoteGraphQLDataSource && source.url ? source.url : metadata.url;
    return url.replace(/^http/, 'ws');
  }

  stop(): void {
    this.stopFollowing?.();
  }

  private serviceFor(name: string, url: string): GraphQLDataSource {
    const known = this.services.get(name);
    if (known && known.url === url) return known.dataSource;
    const dataSource = this.buildService({ name, url });
    this.services.set(name, { url, dataSource });
    return dataSource;
  }
}
