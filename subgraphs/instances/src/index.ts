import { runSubgraphProcess } from '@market/platform';
import { loadInstancesEnv } from './env';
import { createSubgraph } from './server';

runSubgraphProcess('instances', () => loadInstancesEnv(), createSubgraph);
