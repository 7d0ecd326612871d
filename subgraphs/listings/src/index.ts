import { runSubgraphProcess } from '@market/platform';
import { loadListingsEnv } from './env';
import { createSubgraph } from './server';

runSubgraphProcess('listings', () => loadListingsEnv(), createSubgraph);
