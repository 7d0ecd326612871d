import type { Identity } from './identity';
import type { Logger } from './logger';

/** What the platform gives every resolver context; a subgraph adds its own services and loaders. */
export interface BaseContext {
  identity: Identity | null;
  /** The client's address and user agent, as the gateway saw them. */
  client: { ip: string | null; userAgent: string | null };
  requestId: string;
  logger: Logger;
}
