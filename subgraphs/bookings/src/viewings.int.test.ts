import { randomUUID } from 'node:crypto';
import type { Identity } from '@market/platform';
import { VIEWING_OVERLAP_CONSTRAINT } from './repositories/viewing-repository';
import { eventually } from '@market/platform/testing';
import { admin, codeOf, inHours, person, startBookings, VIEWING_FIELDS, VIEWING_RESULT, type Bookings } from './testing/harness';

const PUBLISH = `mutation($listingId: ID!, $slots: [ViewingSlotInput!]!) {
  publishViewingSlots(listingId: $listingId, slots: $slots) { id startsAt endsAt available listing { id } } }`;
const SLOTS = `query($r: [_Any!]!) { _entities(representations: $r) { ... on Listing { id viewingSlots { id startsAt available } } } }`;
const REQUEST = `mutation($input: RequestViewingInput!) { requestViewing(input: $input) { ${VIEWING_RESULT} } }`;
const CONFIRM = `mutation($id: ID!) { confirmViewing(id: $id) { ${VIEWING_RESULT} } }`;
const RESCHEDULE = `mutation($id: ID!, $startsAt: DateTime!, $endsAt: DateTime!) {
  rescheduleViewing(id: $id, startsAt: $startsAt, endsAt: $endsAt) { ${VIEWING_RESULT} } }`;
const CANCEL = `mutation($id: ID!) { cancelViewing(id: $id) { id status } }`;
const VIEWING = `query($id: ID!) { viewing(id: $id) { ${VIEWING_FIELDS} } }`;
const MINE = `{ myViewings { id } }`;

const MINUTE_MS = 60_000;

let b: Bookings;
beforeAll(async () => {
  // Reminders at the defaults (24 h and 1 h ahead), looked for every 50 ms.
  b = await startBookings({ SCHEDULER_POLL_MS: '50' });
});
afterAll(async () => {
  await b?.close();
});

const request = (buyer: Identity, input: Record<string, unknown>) => b.call(buyer, REQUEST, { input });
async function requested(buyer: Identity, input: Record<string, unknown>) {
  const res = await request(buyer, input);
  expect(res.errors).toBeUndefined();
  expect(res.data.requestViewing.__typename).toBe('ViewingAppointment');
  return res.data.requestViewing;
}
const pending = (viewingId: string) =>
  b.sql
    .query<{ type: string; due_at: Date; payload: { minutesBefore: number } }>(
      'SELECT type, due_at, payload FROM scheduled_events WHERE subject_id = $1 ORDER BY due_at',
      [viewingId],
    )
    .then((r) => r.rows);

describe('viewing slots', () => {
  it('lets the agent publish slots that anyone sees, with whether each is taken', async () => {
    const house = await b.forSale();
    const slots = [
      { startsAt: inHours(50), endsAt: inHours(51) },
      { startsAt: inHours(48), endsAt: inHours(49) },
    ];
    const res = await b.call(house.owner, PUBLISH, { listingId: house.id, slots });
    expect(res.errors).toBeUndefined();
    const published = res.data.publishViewingSlots;
    expect(published).toEqual([
      { id: expect.any(String), startsAt: slots[1]?.startsAt, endsAt: slots[1]?.endsAt, available: true, listing: { id: house.id } },
      { id: expect.any(String), startsAt: slots[0]?.startsAt, endsAt: slots[0]?.endsAt, available: true, listing: { id: house.id } },
    ]);
    await requested(person(), { listingId: house.id, slotId: published[0].id });
    const seen = await b.call(null, SLOTS, { r: [{ __typename: 'Listing', id: house.id }] });
    expect(seen.data._entities[0].viewingSlots).toEqual([
      { id: published[0].id, startsAt: slots[1]?.startsAt, available: false },
      { id: published[1].id, startsAt: slots[0]?.startsAt, available: true },
    ]);
  });

  it('refuses overlapping, past, badly sized or foreign slots and writes none', async () => {
    const house = await b.forSale();
    await b.call(house.owner, PUBLISH, { listingId: house.id, slots: [{ startsAt: inHours(30), endsAt: inHours(31) }] });
    const cases: [Identity, Record<string, unknown>, string][] = [
      [house.owner, { slots: [{ startsAt: inHours(30.5), endsAt: inHours(31.5) }] }, 'CONFLICT'],
      [
        house.owner,
        {
          slots: [
            { startsAt: inHours(40), endsAt: inHours(41) },
            { startsAt: inHours(40.5), endsAt: inHours(41.5) },
          ],
        },
        'BAD_USER_INPUT',
      ],
      [house.owner, { slots: [{ startsAt: inHours(-2), endsAt: inHours(-1) }] }, 'BAD_USER_INPUT'],
      [house.owner, { slots: [{ startsAt: inHours(40), endsAt: inHours(40.1) }] }, 'BAD_USER_INPUT'],
      [house.owner, { slots: [] }, 'BAD_USER_INPUT'],
      [person(), { slots: [{ startsAt: inHours(60), endsAt: inHours(61) }] }, 'FORBIDDEN'],
      [house.owner, { listingId: randomUUID(), slots: [{ startsAt: inHours(60), endsAt: inHours(61) }] }, 'NOT_FOUND'],
    ];
    for (const [who, vars, code] of cases) {
      expect(codeOf(await b.call(who, PUBLISH, { listingId: house.id, ...vars }))).toBe(code);
    }
    expect(await b.count('SELECT 1 FROM viewing_slots WHERE listing_id = $1', [house.id])).toBe(1);
  });

  it('gives a slot to exactly one of many buyers asking at once, and frees it when that viewing is cancelled', async () => {
    const house = await b.forSale();
    const [slot] = (await b.call(house.owner, PUBLISH, { listingId: house.id, slots: [{ startsAt: inHours(30), endsAt: inHours(31) }] }))
      .data.publishViewingSlots;
    const results = await Promise.all(Array.from({ length: 20 }, () => request(person(), { listingId: house.id, slotId: slot.id })));
    const kinds = results.map((r) => r.data.requestViewing.__typename);
    expect(kinds.filter((k) => k === 'ViewingAppointment')).toHaveLength(1);
    expect(kinds.filter((k) => k === 'TimeUnavailable')).toHaveLength(19);
    expect(results.find((r) => r.data.requestViewing.__typename === 'TimeUnavailable')?.data.requestViewing).toEqual({
      __typename: 'TimeUnavailable',
      listingId: house.id,
      startsAt: slot.startsAt,
      endsAt: slot.endsAt,
      message: expect.any(String),
    });
    const winner = results.find((r) => r.data.requestViewing.__typename === 'ViewingAppointment')?.data.requestViewing;
    expect(winner).toMatchObject({ startsAt: slot.startsAt, endsAt: slot.endsAt, status: 'PENDING' });

    await b.call(house.owner, CANCEL, { id: winner.id });
    await requested(person(), { listingId: house.id, slotId: slot.id });
  });
});

describe('requestViewing', () => {
  it("asks the listing's owner, as agent, at times the buyer proposes; the parties read it back and it is announced", async () => {
    const house = await b.forSale();
    const buyer = person();
    const input = { listingId: house.id, startsAt: inHours(24), endsAt: inHours(25), note: '  After work, please. ' };
    const viewing = await requested(buyer, input);
    expect(viewing).toMatchObject({
      startsAt: input.startsAt,
      endsAt: input.endsAt,
      status: 'PENDING',
      note: 'After work, please.',
      listing: { id: house.id },
      buyer: { id: buyer.userId },
      agent: { id: house.owner.userId },
    });
    for (const who of [buyer, house.owner, admin()]) {
      expect((await b.call(who, VIEWING, { id: viewing.id })).data.viewing.id).toBe(viewing.id);
    }
    expect((await b.call(buyer, MINE)).data.myViewings).toEqual([{ id: viewing.id }]);
    expect((await b.call(house.owner, MINE)).data.myViewings).toEqual([{ id: viewing.id }]);
    expect(await b.outbox(viewing.id)).toEqual([
      {
        type: 'bookings.viewing.requested',
        payload: {
          viewingId: viewing.id,
          listingId: house.id,
          listingTitle: 'Family house',
          buyerId: buyer.userId,
          agentId: house.owner.userId,
          startsAt: input.startsAt,
          endsAt: input.endsAt,
        },
      },
    ]);
  });

  it('refuses bad viewings and writes nothing', async () => {
    const house = await b.forSale();
    const other = await b.forSale();
    const rental = await b.listing();
    const buyer = person();
    const [otherSlot] = (
      await b.call(other.owner, PUBLISH, { listingId: other.id, slots: [{ startsAt: inHours(30), endsAt: inHours(31) }] })
    ).data.publishViewingSlots;
    const bad: [Record<string, unknown>, string][] = [
      [{ listingId: house.id, startsAt: inHours(24), endsAt: inHours(24.1) }, 'BAD_USER_INPUT'],
      [{ listingId: house.id, startsAt: inHours(24), endsAt: inHours(29) }, 'BAD_USER_INPUT'],
      [{ listingId: house.id, startsAt: inHours(-2), endsAt: inHours(-1) }, 'BAD_USER_INPUT'],
      [{ listingId: house.id, startsAt: inHours(24), endsAt: inHours(25), note: 'x'.repeat(1001) }, 'BAD_USER_INPUT'],
      [{ listingId: house.id }, 'BAD_USER_INPUT'],
      [{ listingId: house.id, slotId: otherSlot.id, startsAt: inHours(24), endsAt: inHours(25) }, 'BAD_USER_INPUT'],
      [{ listingId: house.id, slotId: otherSlot.id }, 'NOT_FOUND'],
      [{ listingId: rental.id, startsAt: inHours(24), endsAt: inHours(25) }, 'BAD_USER_INPUT'],
      [{ listingId: randomUUID(), startsAt: inHours(24), endsAt: inHours(25) }, 'NOT_FOUND'],
    ];
    for (const [input, code] of bad) expect(codeOf(await request(buyer, input))).toBe(code);
    expect(codeOf(await request(house.owner, { listingId: house.id, startsAt: inHours(24), endsAt: inHours(25) }))).toBe('FORBIDDEN');
    expect(codeOf(await b.call(null, REQUEST, { input: { listingId: house.id, startsAt: inHours(24), endsAt: inHours(25) } }))).toBe(
      'UNAUTHENTICATED',
    );
    expect(await b.count('SELECT 1 FROM viewing_appointments WHERE buyer_id = $1', [buyer.userId])).toBe(0);
  });
});

describe('confirm, reschedule and cancel', () => {
  it("lets the agent confirm, never into an overlap with the agent's other confirmed viewings", async () => {
    const house = await b.forSale();
    const second = await b.forSale({ ownerId: house.owner.userId });
    const buyer = person();
    const a = await requested(buyer, { listingId: house.id, startsAt: inHours(70), endsAt: inHours(71) });
    const overlapping = await requested(person(), { listingId: second.id, startsAt: inHours(70.5), endsAt: inHours(71.5) });
    const adjacent = await requested(person(), { listingId: second.id, startsAt: inHours(71), endsAt: inHours(72) });

    expect(codeOf(await b.call(buyer, CONFIRM, { id: a.id }))).toBe('FORBIDDEN');
    expect((await b.call(house.owner, CONFIRM, { id: a.id })).data.confirmViewing).toMatchObject({
      __typename: 'ViewingAppointment',
      status: 'CONFIRMED',
    });
    expect((await b.call(house.owner, CONFIRM, { id: overlapping.id })).data.confirmViewing).toMatchObject({
      __typename: 'TimeUnavailable',
      startsAt: overlapping.startsAt,
    });
    expect((await b.call(house.owner, CONFIRM, { id: adjacent.id })).data.confirmViewing.status).toBe('CONFIRMED');
    expect(codeOf(await b.call(house.owner, CONFIRM, { id: a.id }))).toBe('CONFLICT');
    expect((await b.call(house.owner, VIEWING, { id: overlapping.id })).data.viewing.status).toBe('PENDING');
    expect((await b.outbox(a.id)).map((e) => e.type)).toEqual(['bookings.viewing.requested', 'bookings.viewing.confirmed']);
  });

  it('moves a viewing: confirmed when the agent moves it, pending again when the buyer does, leaving its slot', async () => {
    const house = await b.forSale();
    const buyer = person();
    const [slot] = (await b.call(house.owner, PUBLISH, { listingId: house.id, slots: [{ startsAt: inHours(30), endsAt: inHours(31) }] }))
      .data.publishViewingSlots;
    const viewing = await requested(buyer, { listingId: house.id, slotId: slot.id });

    const moved = { startsAt: inHours(40), endsAt: inHours(41) };
    const byAgent = await b.call(house.owner, RESCHEDULE, { id: viewing.id, ...moved });
    expect(byAgent.data.rescheduleViewing).toMatchObject({ status: 'CONFIRMED', ...moved });
    expect((await pending(viewing.id)).map((p) => p.payload.minutesBefore)).toEqual([1440, 60]);
    // The slot is free again.
    await requested(person(), { listingId: house.id, slotId: slot.id });

    const byBuyer = await b.call(buyer, RESCHEDULE, { id: viewing.id, startsAt: inHours(45), endsAt: inHours(46) });
    expect(byBuyer.data.rescheduleViewing.status).toBe('PENDING');
    expect(await pending(viewing.id)).toEqual([]);
    expect(codeOf(await b.call(buyer, RESCHEDULE, { id: viewing.id, startsAt: inHours(45), endsAt: inHours(45.1) }))).toBe(
      'BAD_USER_INPUT',
    );
    expect((await b.outbox(viewing.id)).map((e) => [e.type, e.payload['rescheduled']])).toEqual([
      ['bookings.viewing.requested', undefined],
      ['bookings.viewing.confirmed', true],
      ['bookings.viewing.requested', undefined],
    ]);
  });

  it('lets buyer or agent cancel once; reminders go with it', async () => {
    const house = await b.forSale();
    const buyer = person();
    const viewing = await requested(buyer, { listingId: house.id, startsAt: inHours(30), endsAt: inHours(31) });
    await b.call(house.owner, CONFIRM, { id: viewing.id });
    expect(await pending(viewing.id)).toHaveLength(2);
    expect((await b.call(buyer, CANCEL, { id: viewing.id })).data.cancelViewing).toEqual({ id: viewing.id, status: 'CANCELLED' });
    expect(await pending(viewing.id)).toEqual([]);
    expect(codeOf(await b.call(house.owner, CANCEL, { id: viewing.id }))).toBe('CONFLICT');
    expect(codeOf(await b.call(buyer, RESCHEDULE, { id: viewing.id, startsAt: inHours(50), endsAt: inHours(51) }))).toBe('CONFLICT');
    const cancelled = (await b.outbox(viewing.id)).find((e) => e.type === 'bookings.viewing.cancelled');
    expect(cancelled?.payload['cancelledBy']).toBe(buyer.userId);
  });

  it('never lets two confirmed viewings of one agent overlap (database constraint)', async () => {
    const house = await b.forSale();
    const insert = (startsH: number, endsH: number) =>
      b.sql.query(
        `INSERT INTO viewing_appointments (id, listing_id, buyer_id, agent_id, starts_at, ends_at, status, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, 'CONFIRMED', now())`,
        [randomUUID(), house.id, randomUUID(), house.owner.userId, inHours(startsH), inHours(endsH)],
      );
    await insert(48, 49);
    await insert(49, 50);
    await expect(insert(48.5, 49.5)).rejects.toMatchObject({ code: '23P01', constraint: VIEWING_OVERLAP_CONSTRAINT });
  });
});

describe('reminders', () => {
  it('schedules reminders 24 h and 1 h ahead on confirmation, and the scheduler moves each into the outbox when due', async () => {
    const house = await b.forSale();
    const buyer = person();
    // Starts in 1 h and 3 s: the 1-hour reminder is due in 3 s; the 24-hour one has passed and is skipped.
    const soon = new Date(Date.now() + 60 * MINUTE_MS + 3_000);
    const soonViewing = await requested(buyer, {
      listingId: house.id,
      startsAt: soon.toISOString(),
      endsAt: new Date(soon.getTime() + 30 * MINUTE_MS).toISOString(),
    });
    // Starts in 24 h and 3 s: the 24-hour reminder is due in 3 s, the 1-hour one tomorrow.
    const tomorrow = new Date(Date.now() + 24 * 60 * MINUTE_MS + 3_000);
    const tomorrowViewing = await requested(buyer, {
      listingId: house.id,
      startsAt: tomorrow.toISOString(),
      endsAt: new Date(tomorrow.getTime() + 30 * MINUTE_MS).toISOString(),
    });
    await b.call(house.owner, CONFIRM, { id: soonViewing.id });
    await b.call(house.owner, CONFIRM, { id: tomorrowViewing.id });
    expect((await pending(soonViewing.id)).map((p) => p.payload.minutesBefore)).toEqual([60]);
    expect((await pending(tomorrowViewing.id)).map((p) => [p.payload.minutesBefore, p.due_at.getTime()])).toEqual([
      [1440, tomorrow.getTime() - 1440 * MINUTE_MS],
      [60, tomorrow.getTime() - 60 * MINUTE_MS],
    ]);
    // Not before it is due.
    expect((await b.outbox(soonViewing.id)).filter((e) => e.type === 'bookings.viewing.reminder')).toEqual([]);

    const reminder = await eventually(async () => (await b.outbox(soonViewing.id)).find((e) => e.type === 'bookings.viewing.reminder'));
    expect(reminder.payload).toEqual({
      viewingId: soonViewing.id,
      listingId: house.id,
      listingTitle: 'Family house',
      buyerId: buyer.userId,
      agentId: house.owner.userId,
      startsAt: soon.toISOString(),
      endsAt: new Date(soon.getTime() + 30 * MINUTE_MS).toISOString(),
      minutesBefore: 60,
    });
    const dayAhead = await eventually(async () => (await b.outbox(tomorrowViewing.id)).find((e) => e.type === 'bookings.viewing.reminder'));
    expect(dayAhead.payload['minutesBefore']).toBe(1440);
    expect(await pending(soonViewing.id)).toEqual([]);
    expect((await pending(tomorrowViewing.id)).map((p) => p.payload.minutesBefore)).toEqual([60]);
    // Each reminder went out once.
    expect((await b.outbox(soonViewing.id)).filter((e) => e.type === 'bookings.viewing.reminder')).toHaveLength(1);
  });
});

describe('idempotency', () => {
  const REQUEST_KEYED = `mutation($input: RequestViewingInput!, $key: String) { requestViewing(input: $input, idempotencyKey: $key) { ${VIEWING_RESULT} } }`;
  const CONFIRM_KEYED = `mutation($id: ID!, $key: String) { confirmViewing(id: $id, idempotencyKey: $key) { ${VIEWING_RESULT} } }`;
  const RESCHEDULE_KEYED = `mutation($id: ID!, $startsAt: DateTime!, $endsAt: DateTime!, $key: String) {
    rescheduleViewing(id: $id, startsAt: $startsAt, endsAt: $endsAt, idempotencyKey: $key) { ${VIEWING_RESULT} } }`;
  const CANCEL_KEYED = `mutation($id: ID!, $key: String) { cancelViewing(id: $id, idempotencyKey: $key) { id status } }`;
  const requestKeyed = (buyer: Identity, input: Record<string, unknown>, key: string) => b.call(buyer, REQUEST_KEYED, { input, key });
  const viewingsOf = (buyerId: string) => b.count('SELECT 1 FROM viewing_appointments WHERE buyer_id = $1', [buyerId]);

  it('answers a retried request with the first viewing, also when the retries race, and refuses the key for another request', async () => {
    const house = await b.forSale();
    const buyer = person();
    const input = { listingId: house.id, startsAt: inHours(80), endsAt: inHours(81), note: 'Twice?' };
    const results = await Promise.all(Array.from({ length: 8 }, () => requestKeyed(buyer, input, 'see-it')));
    const ids = new Set(results.map((r) => r.data.requestViewing.id));
    expect(results.map((r) => r.data.requestViewing.__typename)).toEqual(Array(8).fill('ViewingAppointment'));
    expect(ids.size).toBe(1);
    expect(await viewingsOf(buyer.userId)).toBe(1);
    const [id] = [...ids];
    expect((await b.outbox(id as string)).map((e) => e.type)).toEqual(['bookings.viewing.requested']);

    expect(codeOf(await requestKeyed(buyer, { ...input, startsAt: inHours(90), endsAt: inHours(91) }, 'see-it'))).toBe('CONFLICT');
    // The same key of another caller is theirs alone.
    expect((await requestKeyed(person(), input, 'see-it')).data.requestViewing.__typename).toBe('ViewingAppointment');
    expect(await viewingsOf(buyer.userId)).toBe(1);
  });

  it('spends no key on a slot that was taken', async () => {
    const house = await b.forSale();
    const [slot, other] = (
      await b.call(house.owner, PUBLISH, {
        listingId: house.id,
        slots: [
          { startsAt: inHours(30), endsAt: inHours(31) },
          { startsAt: inHours(32), endsAt: inHours(33) },
        ],
      })
    ).data.publishViewingSlots;
    await requested(person(), { listingId: house.id, slotId: slot.id });
    const buyer = person();
    expect((await requestKeyed(buyer, { listingId: house.id, slotId: slot.id }, 'k')).data.requestViewing.__typename).toBe(
      'TimeUnavailable',
    );
    expect((await requestKeyed(buyer, { listingId: house.id, slotId: other.id }, 'k')).data.requestViewing.__typename).toBe(
      'ViewingAppointment',
    );
  });

  it('answers retried confirm, reschedule and cancel with the viewing instead of CONFLICT or a second move', async () => {
    const house = await b.forSale();
    const buyer = person();
    const viewing = await requested(buyer, { listingId: house.id, startsAt: inHours(100), endsAt: inHours(101) });
    for (let i = 0; i < 2; i++) {
      expect((await b.call(house.owner, CONFIRM_KEYED, { id: viewing.id, key: 'ok' })).data.confirmViewing.status).toBe('CONFIRMED');
    }
    const moved = { startsAt: inHours(110), endsAt: inHours(111) };
    for (let i = 0; i < 2; i++) {
      expect((await b.call(buyer, RESCHEDULE_KEYED, { id: viewing.id, ...moved, key: 'move' })).data.rescheduleViewing).toMatchObject({
        status: 'PENDING',
        ...moved,
      });
    }
    expect(
      codeOf(await b.call(buyer, RESCHEDULE_KEYED, { id: viewing.id, startsAt: inHours(120), endsAt: inHours(121), key: 'move' })),
    ).toBe('CONFLICT');
    for (let i = 0; i < 2; i++) {
      expect((await b.call(buyer, CANCEL_KEYED, { id: viewing.id, key: 'off' })).data.cancelViewing).toEqual({
        id: viewing.id,
        status: 'CANCELLED',
      });
    }
    expect((await b.outbox(viewing.id)).map((e) => e.type)).toEqual([
      'bookings.viewing.requested',
      'bookings.viewing.confirmed',
      'bookings.viewing.requested',
      'bookings.viewing.cancelled',
    ]);
  });
});
