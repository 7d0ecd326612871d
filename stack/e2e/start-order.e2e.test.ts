import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { createLogger, eventContracts, InProcessEventBus, type EventListener, type EventType } from '@market/platform';
import { testDatabaseUrl } from '@market/platform/testing';
import { startTestStack, type TestStack } from '../src/testing/stack';

async function withDb<T>(domain: 'listings' | 'bookings', fn: (db: Client) => Promise<T>): Promise<T> {
  const db = new Client({ connectionString: testDatabaseUrl(domain) });
  await db.connect();
  try {
    return await fn(db);
  } finally {
    await db.end();
  }
}

/** A bus on which bookings' groups take a while to join: a relay that did not wait for them would publish first. */
class SlowJoiningBus extends InProcessEventBus {
  override async subscribe(group: string, types: readonly EventType[], listener: EventListener): Promise<void> {
    if (group.startsWith('bookings.')) await new Promise((r) => setTimeout(r, 1_000));
    await super.subscribe(group, types, listener);
  }
}

/**
 * The host's start order: every consumer of the process subscribes before any relay publishes, so
 * an event a previous run left unpublished in an outbox reaches its consumer when the stack starts
 * (the in-process bus hands an event only to the groups subscribed when it is published).
 */
describe('starting the stack', () => {
  let stack: TestStack | null = null;

  afterAll(async () => {
    await stack?.stop();
  });

  it('delivers an event left unpublished in an outbox to its consumer in another subgraph', async () => {
    const listingId = randomUUID();
    const type = 'listings.listing.upserted';
    const payload = eventContracts[type].payload.parse({
      listingId,
      ownerId: randomUUID(),
      title: 'Left in the outbox',
      kind: 'RENT',
      status: 'ACTIVE',
      price: null,
      pricePerNight: '80.00',
      currency: 'EUR',
      maxGuests: 2,
      timeZone: 'UTC',
      version: 1,
    });
    await withDb('listings', (db) =>
      db.query(`INSERT INTO outbox_events (id, type, version, aggregate_id, payload, occurred_at) VALUES ($1, $2, $3, $4, $5, now())`, [
        randomUUID(),
        type,
        eventContracts[type].version,
        listingId,
        JSON.stringify(payload),
      ]),
    );

    stack = await startTestStack({ bus: new SlowJoiningBus(createLogger('events', 'silent')) });

    const deadline = Date.now() + 15_000;
    let snapshot: { title: string } | undefined;
    while (!snapshot && Date.now() < deadline) {
      snapshot = await withDb('bookings', async (db) => {
        const { rows } = await db.query<{ title: string }>('SELECT title FROM listing_snapshots WHERE listing_id = $1', [listingId]);
        return rows[0];
      });
      if (!snapshot) await new Promise((r) => setTimeout(r, 100));
    }
    expect(snapshot).toEqual({ title: 'Left in the outbox' });
    expect(await stack.bus.deadLetters()).toEqual([]);
  });
});
