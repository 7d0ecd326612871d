import { runSubgraph } from '@market/platform';
import { bookings } from './subgraph';

runSubgraph(bookings);
