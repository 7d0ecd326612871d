import type { Logger } from '@market/platform';
import type { Db } from '../db';
import type { ListingsEnv } from '../env';
import {
  createElasticsearchClient,
  ElasticsearchListingSearch,
  type ElasticsearchSearchOptions,
} from './elasticsearch/elasticsearch-search';
import { PostgresListingSearch } from './postgres/postgres-search';
import type { ListingSearch } from './port';

/** Elasticsearch when ELASTICSEARCH_URL is set; otherwise the `listing_search` table in the listings database. */
export function createListingSearch(
  env: Pick<ListingsEnv, 'ELASTICSEARCH_URL' | 'ELASTICSEARCH_INDEX_PREFIX'>,
  db: Db,
  logger: Logger,
  options: Pick<ElasticsearchSearchOptions, 'refreshOnWrite' | 'dropDelayMs'> = {},
): ListingSearch {
  if (env.ELASTICSEARCH_URL) {
    return new ElasticsearchListingSearch(createElasticsearchClient(env.ELASTICSEARCH_URL), {
      prefix: env.ELASTICSEARCH_INDEX_PREFIX,
      logger,
      ...options,
    });
  }
  return new PostgresListingSearch(db);
}
