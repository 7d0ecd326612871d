import { runSubgraphProcess } from '@market/platform';
import { loadMessagingEnv } from './env';
import { createSubgraph } from './server';

runSubgraphProcess('messaging', () => loadMessagingEnv(), createSubgraph);
