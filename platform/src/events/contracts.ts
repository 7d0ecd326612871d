import { z } from 'zod';

/**
 * The events that cross domains: one versioned, validated contract per type. Producers validate
 * before writing to their outbox; consumers validate again before handling (a version they do not
 * know, or a payload that does not parse, goes to dead letters).
 */
const id = z.string().min(1);

export const eventContracts = {
  'accounts.user.registered': {
    version: 1,
    payload: z.object({ userId: id, name: z.string(), role: z.enum(['BUYER', 'SELLER', 'AGENT', 'HOST', 'ADMIN']) }),
  },
  'accounts.user.deleted': {
    version: 1,
    payload: z.object({ userId: id }),
  },
  'listings.listing.upserted': {
    version: 1,
    payload: z.object({
      listingId: id,
      ownerId: id,
      title: z.string(),
      kind: z.enum(['SALE', 'RENT']),
      status: z.string(),
      /** Decimal strings keep money exact. */
      price: z.string().nullable(),
      pricePerNight: z.string().nullable(),
      currency: z.string().length(3),
      maxGuests: z.number().int().nullable(),
      timeZone: z.string(),
    }),
  },
  'listings.listing.deleted': {
    version: 1,
    payload: z.object({ listingId: id, ownerId: id }),
  },
} as const;

export type EventType = keyof typeof eventContracts;
export type EventPayload<T extends EventType> = z.infer<(typeof eventContracts)[T]['payload']>;

/** What travels on the bus. */
export interface EventEnvelope<T extends EventType = EventType> {
  id: string;
  type: T;
  version: number;
  /** The entity whose events must stay ordered (the Kafka message key). */
  aggregateId: string;
  occurredAt: string;
  payload: EventPayload<T>;
}

export class InvalidEventError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InvalidEventError';
  }
}

export function validateEvent(raw: unknown): EventEnvelope {
  const envelope = raw as Partial<EventEnvelope> | null;
  if (!envelope || typeof envelope !== 'object' || typeof envelope.type !== 'string' || typeof envelope.id !== 'string') {
    throw new InvalidEventError('not an event envelope');
  }
  const contract = eventContracts[envelope.type as EventType];
  if (!contract) throw new InvalidEventError(`unknown event type ${envelope.type}`);
  if (envelope.version !== contract.version) {
    throw new InvalidEventError(`${envelope.type} version ${String(envelope.version)} is not ${contract.version}`);
  }
  const parsed = contract.payload.safeParse(envelope.payload);
  if (!parsed.success) throw new InvalidEventError(`${envelope.type}: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  return { ...(envelope as EventEnvelope), payload: parsed.data };
}
