import { runSubgraph } from '@market/platform';
import { listings } from './subgraph';

runSubgraph(listings);
