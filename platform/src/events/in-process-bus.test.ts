import { randomUUID } from 'node:crypto';
import net from 'node:net';
import { Client } from 'pg';
import pino from 'pino';
import { InProcessEventBus } from './in-process-bus';
import { InvalidEventError, type EventEnvelope } from './contracts';
import { PermanentEventError, classifyFailure } from './failures';

/**
 * What the embedded bus does with a failing handler: events that can never be handled go to dead
 * letters at once; unknown failures after the retry budget; infrastructure failures never.
 * Connection failures here are real ones (a pg client connecting to a port nobody listens on).
 */
const UPSERTED = 'listings.listing.upserted' as const;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function captureLogger() {
  const lines: Record<string, unknown>[] = [];
  const logger = pino(
    { level: 'info', formatters: { level: (label) => ({ level: label }) } },
    { write: (line: string) => void lines.push(JSON.parse(line) as Record<string, unknown>) },
  );
  return { logger, lines };
}

function listingUpserted(): EventEnvelope<typeof UPSERTED> {
  const listingId = randomUUID();
  return {
    id: randomUUID(),
    type: UPSERTED,
    version: 1,
    aggregateId: listingId,
    occurredAt: new Date().toISOString(),
    payload: {
      listingId,
      ownerId: 'o',
      title: 'T',
      kind: 'SALE',
      status: 'ACTIVE',
      price: '1.00',
      pricePerNight: null,
      currency: 'EUR',
      maxGuests: null,
      timeZone: 'UTC',
    },
  };
}

/** A port that refuses connections: bound once to learn a free one, then closed. */
async function closedPort(): Promise<number> {
  const server = net.createServer().listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

async function refusedConnectionError(): Promise<unknown> {
  const client = new Client({ host: '127.0.0.1', port: await closedPort(), user: 'x', database: 'x', connectionTimeoutMillis: 1_000 });
  client.on('error', () => undefined);
  return client.connect().then(
    () => new Error('connected'),
    (err: unknown) => err,
  );
}

describe('InProcessEventBus failure handling', () => {
  it('classifies real connection failures as infrastructure and handler verdicts as permanent', async () => {
    expect(classifyFailure(await refusedConnectionError())).toBe('infrastructure');
    expect(classifyFailure(new Error('wrapped', { cause: await refusedConnectionError() }))).toBe('infrastructure');
    expect(classifyFailure(new PermanentEventError('no such user'))).toBe('permanent');
    expect(classifyFailure(new InvalidEventError('bad payload'))).toBe('permanent');
    expect(classifyFailure(new TypeError("Cannot read properties of undefined (reading 'id')"))).toBe('unknown');
  });

  it('sends a PermanentEventError to dead letters at once, with one log line and one count', async () => {
    const { logger, lines } = captureLogger();
    const bus = new InProcessEventBus(logger, { initialDelayMs: 10, maxDelayMs: 20, budgetMs: 60_000 });
    let calls = 0;
    await bus.subscribe('strict', [UPSERTED], async () => {
      calls++;
      throw new PermanentEventError('the owner is not a user id');
    });
    const event = listingUpserted();
    await bus.publish([event]);
    await bus.drain();
    expect(calls).toBe(1);
    expect((await bus.deadLetters()).map((d) => [d.group, d.error])).toEqual([['strict', 'the owner is not a user id']]);
    expect(bus.counters.deadLetterCount({ group: 'strict', type: UPSERTED })).toBe(1);
    expect(lines.filter((l) => l['msg'] === 'event moved to dead letters')).toEqual([
      expect.objectContaining({
        level: 'error',
        group: 'strict',
        eventId: event.id,
        type: UPSERTED,
        reason: 'permanent',
        failure: 'permanent',
        attempts: 1,
        deadLetters: 1,
      }),
    ]);
    await bus.close();
  });

  it('retries an unknown failure for the budget, then dead-letters it', async () => {
    const { logger, lines } = captureLogger();
    const bus = new InProcessEventBus(logger, { initialDelayMs: 20, maxDelayMs: 50, budgetMs: 400 });
    let calls = 0;
    await bus.subscribe('projector', [UPSERTED], async () => {
      calls++;
      throw new Error('a bug');
    });
    const started = Date.now();
    await bus.publish([listingUpserted()]);
    await bus.drain();
    expect(Date.now() - started).toBeGreaterThanOrEqual(400);
    expect(calls).toBeGreaterThan(3);
    expect(bus.counters.deadLetterCount()).toBe(1);
    expect(lines.filter((l) => l['msg'] === 'event moved to dead letters')).toEqual([
      expect.objectContaining({ reason: 'retries-exhausted', failure: 'unknown', attempts: calls }),
    ]);
    await bus.close();
  });

  it('retries an infrastructure failure far past the budget and delivers once it clears', async () => {
    const { logger } = captureLogger();
    const bus = new InProcessEventBus(logger, { initialDelayMs: 10, maxDelayMs: 50, budgetMs: 100, attempts: 2 });
    let down = true;
    let calls = 0;
    const handled: string[] = [];
    await bus.subscribe('replica', [UPSERTED], async (event) => {
      calls++;
      if (down) throw await refusedConnectionError();
      handled.push(event.id);
    });
    const event = listingUpserted();
    await bus.publish([event]);
    await sleep(1_000);
    expect(calls).toBeGreaterThan(5);
    expect(bus.counters.deadLetterCount()).toBe(0);
    down = false;
    await bus.drain();
    expect(handled).toEqual([event.id]);
    expect(await bus.deadLetters()).toEqual([]);
    expect(bus.counters.failureCount({ group: 'replica', failure: 'infrastructure' })).toBe(calls - 1);
    await bus.close();
  });

  it('does not wait out an outage on close: the event still failing is kept as a dead letter', async () => {
    const { logger } = captureLogger();
    const bus = new InProcessEventBus(logger, { initialDelayMs: 5_000, maxDelayMs: 5_000 });
    await bus.subscribe('replica', [UPSERTED], async () => {
      throw await refusedConnectionError();
    });
    await bus.publish([listingUpserted()]);
    await sleep(200);
    const started = Date.now();
    await bus.close();
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(bus.counters.snapshot().deadLetters).toEqual([{ group: 'replica', type: UPSERTED, reason: 'shutdown', count: 1 }]);
  });
});
