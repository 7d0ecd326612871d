import { runSubgraph } from '@market/platform';
import { accounts } from './subgraph';

runSubgraph(accounts);
