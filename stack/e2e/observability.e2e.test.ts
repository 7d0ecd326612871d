import { SUBGRAPH_NAMES, startTracing, type Tracing } from '@market/platform';
import { InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan } from '@market/platform/testing';
import { createUser, eventually, startTestStack, type TestStack } from '../src/testing/stack';

/** The value of one series in a Prometheus exposition, or undefined when it is not there. */
function sample(text: string, name: string, labels: Record<string, string>): number | undefined {
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue;
    const match = /^([^{ ]+)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!match || match[1] !== name) continue;
    const found = Object.fromEntries([...(match[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map((m) => [m[1], m[2]]));
    if (Object.entries(labels).every(([k, v]) => found[k] === v)) return Number(match[3]);
  }
  return undefined;
}

const exporter = new InMemorySpanExporter();

/**
 * Metrics at every /metrics and one trace per request: a booking made through the gateway is one
 * trace from the gateway's server span through the bookings subgraph and its SQL, the outbox and the
 * bus, to messaging's consumer.
 */
describe('observability, end to end', () => {
  let stack: TestStack;
  let tracing: Tracing | null;
  beforeAll(async () => {
    tracing = startTracing({ serviceName: 'market', spanProcessors: [new SimpleSpanProcessor(exporter)] });
    stack = await startTestStack();
  });
  afterAll(async () => {
    await stack.stop();
    await tracing?.shutdown();
  });

  it('serves the series of the gateway and of every subgraph after a request', async () => {
    const user = await createUser(stack, 'BUYER', 'Mia Metrics');
    const res = await stack.request(`query WhoAmI { me { id name } }`, {}, user.token);
    expect(res.data).toEqual({ me: { id: user.id, name: 'Mia Metrics' } });
    const gatewayMetrics = await fetch(stack.url.replace('/graphql', '/metrics'));
    expect(gatewayMetrics.status).toBe(200);
    expect(gatewayMetrics.headers.get('content-type')).toMatch(/^text\/plain/);
    const text = await gatewayMetrics.text();
    expect(
      sample(text, 'market_gateway_requests_total', { service: 'gateway', operation: 'WhoAmI', type: 'query', outcome: 'ok' }),
    ).toBeGreaterThanOrEqual(1);
    expect(
      sample(text, 'market_gateway_request_duration_seconds_count', { service: 'gateway', operation: 'WhoAmI', type: 'query' }),
    ).toBeGreaterThanOrEqual(1);
    expect(
      sample(text, 'market_gateway_subgraph_fetch_duration_seconds_count', { service: 'gateway', subgraph: 'accounts' }),
    ).toBeGreaterThanOrEqual(1);
    expect(sample(text, 'market_subgraph_request_duration_seconds_count', { service: 'accounts', type: 'query' })).toBeGreaterThanOrEqual(
      1,
    );
    expect(sample(text, 'market_prisma_query_duration_seconds_count', { service: 'accounts' })).toBeGreaterThanOrEqual(1);
    expect(sample(text, 'market_outbox_backlog', { service: 'accounts' })).toBeGreaterThanOrEqual(0);
    expect(sample(text, 'market_outbox_oldest_unpublished_age_seconds', { service: 'accounts' })).toBeGreaterThanOrEqual(0);
    expect(sample(text, 'market_events_published_total', { service: 'accounts', type: 'accounts.user.registered' })).toBeGreaterThanOrEqual(
      1,
    );
    expect(text).toMatch(/^market_process_cpu_user_seconds_total /m);

    // A refused operation counts under its rule, not as a success.
    const deep = await stack.request(
      `query Deep { me { listings { stays { listing { stays { listing { stays { listing { stays { id } } } } } } } } } }`,
      {},
      user.token,
    );
    expect(deep.errors?.length).toBeGreaterThan(0);
    const after = await (await fetch(stack.url.replace('/graphql', '/metrics'))).text();
    expect(sample(after, 'market_gateway_limit_refusals_total', { service: 'gateway', rule: 'depth' })).toBeGreaterThanOrEqual(1);
    expect(
      sample(after, 'market_gateway_requests_total', { service: 'gateway', operation: 'Deep', type: 'query', outcome: 'refused' }),
    ).toBe(1);

    // Every subgraph serves /metrics on its own port too.
    for (const name of SUBGRAPH_NAMES) {
      const own = await fetch(stack.subgraphs[name].url.replace('/graphql', '/metrics'));
      expect(own.status).toBe(200);
      expect(await own.text()).toContain(`market_subgraph_request_duration_seconds`);
    }
  });

  it('follows one booking in one trace from the gateway to messaging’s consumer', async () => {
    const host = await createUser(stack, 'HOST', 'Tess Trace');
    const guest = await createUser(stack, 'BUYER', 'Gil Guest');
    const created = await stack.request(
      `mutation($input: CreateListingInput!) { createListing(input: $input) { id } }`,
      {
        input: {
          title: 'Traced cottage',
          description: 'A cottage whose every booking leaves a trace.',
          kind: 'RENT',
          propertyType: 'HOUSE',
          address: { line1: '2 Span Lane', city: 'York', country: 'GB' },
          zipCode: 'YO1 7HH',
          bedrooms: 2,
          bathrooms: 1,
          toilets: 1,
          location: { latitude: 53.96, longitude: -1.08 },
          images: ['https://images.example.com/cottage-1.jpg'],
          status: 'ACTIVE',
          pricePerNight: '90.00',
          maxGuests: 3,
          timeZone: 'Europe/London',
        },
      },
      host.token,
    );
    expect(created.errors).toBeUndefined();
    const listingId: string = created.data.createListing.id;
    const stayId = await eventually(async () => {
      const res = await stack.request(
        `mutation BookStay($input: BookStayInput!) { bookStay(input: $input) { __typename ... on Stay { id } } }`,
        { input: { listingId, checkIn: '2032-03-01', checkOut: '2032-03-03', guests: 2 } },
        guest.token,
      );
      return res.data?.bookStay?.__typename === 'Stay' ? (res.data.bookStay.id as string) : null;
    });
    expect(stayId).toEqual(expect.any(String));

    const spans = (): ReadableSpan[] => exporter.getFinishedSpans();
    // Followed from its far end: messaging's consumer of the stay's event. (Which booking attempt wrote
    // the stay is not known here: an attempt made before bookings learned of the listing may still have
    // booked, and a later identical one answers with the same stay.) This stack books nothing else.
    const consumer = await eventually(
      () =>
        spans().find(
          (s) =>
            s.name.startsWith('consume bookings.stay.') &&
            s.attributes['messaging.consumer.group.name'] === 'messaging.booking-notifications',
        ) ?? null,
      { timeoutMs: 60_000, what: "messaging's consumer span of the stay's event" },
    );
    const traceId = consumer.spanContext().traceId;
    // The trace starts at the gateway: the client's BookStay request is its root.
    const root = spans().find((s) => s.spanContext().traceId === traceId && !s.parentSpanContext);
    expect(root).toMatchObject({
      name: 'mutation BookStay',
      attributes: expect.objectContaining({ 'graphql.operation.name': 'BookStay' }),
    });
    const trace = spans().filter((s) => s.spanContext().traceId === traceId);
    // Connected: every span but the root has its parent in the same trace.
    const ids = new Set(trace.map((s) => s.spanContext().spanId));
    for (const s of trace) if (s !== root) expect(ids.has(s.parentSpanContext?.spanId ?? '')).toBe(true);
    const names = trace.map((s) => s.name);
    expect(names).toEqual(expect.arrayContaining(['fetch bookings', 'subgraph bookings', 'db.query']));
    expect(names.some((n) => n.startsWith('publish bookings.stay.'))).toBe(true);
    // The consumer's own SQL (inbox row and effect) is in the trace, under its span.
    expect(
      trace.some(
        (s) =>
          s.name === 'db.query' &&
          s.parentSpanContext?.spanId === consumer.spanContext().spanId &&
          s.attributes['market.service'] === 'messaging',
      ),
    ).toBe(true);
  });
});
