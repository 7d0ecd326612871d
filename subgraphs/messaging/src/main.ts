import { runSubgraph } from '@market/platform';
import { messaging } from './subgraph';

runSubgraph(messaging);
