import { availability } from './availability';

const at = (iso: string) => new Date(iso);

describe('availability', () => {
  const base = { uptimeMs: 60_000, downtimeMs: 5_000, statusChangedAt: at('2026-01-01T10:00:00Z') };
  const now = at('2026-01-01T10:00:30.900Z');

  it('adds the current run to uptime while RUNNING', () => {
    expect(availability({ ...base, status: 'RUNNING' }, now)).toEqual({ uptimeSeconds: 90, downtimeSeconds: 5 });
  });

  it.each(['REQUESTED', 'STARTING', 'FAILED'] as const)('counts time %s as downtime: meant to run, not running', (status) => {
    expect(availability({ ...base, status }, now)).toEqual({ uptimeSeconds: 60, downtimeSeconds: 35 });
  });

  it.each(['STOPPING', 'STOPPED', 'REMOVED'] as const)('counts time %s as neither: the owner stopped it', (status) => {
    expect(availability({ ...base, status }, now)).toEqual({ uptimeSeconds: 60, downtimeSeconds: 5 });
  });

  it('never goes negative when clocks disagree', () => {
    expect(availability({ ...base, status: 'RUNNING' }, at('2026-01-01T09:59:00Z'))).toEqual({ uptimeSeconds: 60, downtimeSeconds: 5 });
  });
});
