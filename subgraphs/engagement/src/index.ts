import { runSubgraphProcess } from '@market/platform';
import { loadEngagementEnv } from './env';
import { createSubgraph } from './server';

runSubgraphProcess('engagement', () => loadEngagementEnv(), createSubgraph);
