import { InvalidEventError, type EventEnvelope } from '@market/platform';
import { isUuid } from '../domain';

export function uuidOf(event: EventEnvelope, what: string, value: string): string {
  // An id that is not a uuid names nothing here and never will: dead letters, not retries.
  if (!isUuid(value)) throw new InvalidEventError(`${event.type} ${event.id}: ${what} must be a uuid`);
  return value.toLowerCase();
}
