import { runSubgraph } from '@market/platform';
import { engagement } from './subgraph';

runSubgraph(engagement);
