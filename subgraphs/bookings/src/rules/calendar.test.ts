import { calendarDays, subtractRange } from './calendar';

describe('calendarDays', () => {
  it('marks each night of [from, to) by the holds that cover it, across a month end', () => {
    const days = calendarDays('2027-01-30', '2027-02-04', [
      { kind: 'STAY', from: '2027-01-20', to: '2027-01-31' },
      { kind: 'BLOCK', from: '2027-02-01', to: '2027-02-03' },
      { kind: 'STAY', from: '2027-02-03', to: '2027-03-01' },
    ]);
    expect(days).toEqual([
      { date: '2027-01-30', status: 'BOOKED' },
      { date: '2027-01-31', status: 'FREE' },
      { date: '2027-02-01', status: 'BLOCKED' },
      { date: '2027-02-02', status: 'BLOCKED' },
      { date: '2027-02-03', status: 'BOOKED' },
    ]);
  });

  it('is empty for an empty range', () => {
    expect(calendarDays('2027-01-30', '2027-01-30', [])).toEqual([]);
  });
});

describe('subtractRange', () => {
  const block = { from: '2027-01-10', to: '2027-01-20' };
  it.each([
    [
      { from: '2027-01-12', to: '2027-01-15' },
      [
        { from: '2027-01-10', to: '2027-01-12' },
        { from: '2027-01-15', to: '2027-01-20' },
      ],
    ],
    [{ from: '2027-01-01', to: '2027-01-15' }, [{ from: '2027-01-15', to: '2027-01-20' }]],
    [{ from: '2027-01-15', to: '2027-02-01' }, [{ from: '2027-01-10', to: '2027-01-15' }]],
    [{ from: '2027-01-01', to: '2027-02-01' }, []],
    [{ from: '2027-01-10', to: '2027-01-20' }, []],
    [{ from: '2027-01-20', to: '2027-01-25' }, [block]],
  ])('%o', (cut, expected) => {
    expect(subtractRange(block, cut)).toEqual(expected);
  });
});
