import { InvalidEventError, type EventEnvelope, type EventType } from '@market/platform';
import { uuidsOnly, type Tx } from '../db';

export type Handler<T extends EventType> = (event: EventEnvelope<T>, tx: Tx) => Promise<void>;

/** Ids that cannot be stored will never be: straight to dead letters instead of retries. */
export function requireUuids(event: EventEnvelope, ...ids: string[]): void {
  if (uuidsOnly(ids).length !== ids.length) throw new InvalidEventError(`${event.type} ${event.id}: ids must be uuids`);
}
