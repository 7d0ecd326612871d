import { runSubgraphProcess } from '@market/platform';
import { loadBookingsEnv } from './env';
import { createSubgraph } from './server';

runSubgraphProcess('bookings', () => loadBookingsEnv(), createSubgraph);
