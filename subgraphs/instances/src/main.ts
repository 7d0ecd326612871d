import { runSubgraph } from '@market/platform';
import { instances } from './subgraph';

runSubgraph(instances);
