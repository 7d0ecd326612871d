import { runSubgraphProcess } from '@market/platform';
import { loadAccountsEnv } from './env';
import { createSubgraph } from './server';

runSubgraphProcess('accounts', () => loadAccountsEnv(), createSubgraph);
