import { INSTANCE_STATUSES } from '../domain';
import { ACTIONS, TRANSITIONS, assertTransitions, mayMove, refusal } from './lifecycle';

describe('the instance state machine', () => {
  it('follows requested → starting → running → stopping → stopped', () => {
    expect(mayMove('REQUESTED', 'STARTING')).toBe(true);
    expect(mayMove('STARTING', 'RUNNING')).toBe(true);
    expect(mayMove('RUNNING', 'STOPPING')).toBe(true);
    expect(mayMove('STOPPING', 'STOPPED')).toBe(true);
  });

  it('fails only from starting, running or unhealthy, and starts again only from stopped or failed', () => {
    expect(INSTANCE_STATUSES.filter((s) => mayMove(s, 'FAILED'))).toEqual(['STARTING', 'RUNNING', 'UNHEALTHY']);
    expect(INSTANCE_STATUSES.filter((s) => mayMove(s, 'STARTING'))).toEqual(['REQUESTED', 'STOPPED', 'FAILED']);
  });

  it('removes from anything but removed, and nothing leaves removed', () => {
    expect(INSTANCE_STATUSES.filter((s) => mayMove(s, 'REMOVED'))).toEqual(INSTANCE_STATUSES.filter((s) => s !== 'REMOVED'));
    expect(TRANSITIONS.REMOVED).toEqual([]);
  });

  it('never skips a step: no running without starting (or recovering), no stopped without stopping', () => {
    expect(INSTANCE_STATUSES.filter((s) => mayMove(s, 'RUNNING'))).toEqual(['STARTING', 'UNHEALTHY']);
    expect(INSTANCE_STATUSES.filter((s) => mayMove(s, 'UNHEALTHY'))).toEqual(['RUNNING']);
    expect(INSTANCE_STATUSES.filter((s) => mayMove(s, 'STOPPED'))).toEqual(['STOPPING']);
    expect(INSTANCE_STATUSES.filter((s) => mayMove(s, 'REQUESTED'))).toEqual([]);
  });

  it('has every action the owner may ask for in it', () => {
    for (const [action, { from, to }] of Object.entries(ACTIONS)) {
      if (action === 'restart') continue;
      expect(() => assertTransitions(from, to)).not.toThrow();
    }
    // restart: a running instance goes through STOPPING; the others start directly.
    expect(() => assertTransitions(['RUNNING'], 'STOPPING')).not.toThrow();
    expect(() => assertTransitions(['REQUESTED', 'STOPPED', 'FAILED'], 'STARTING')).not.toThrow();
  });

  it('refuses to write a transition it does not have', () => {
    expect(() => assertTransitions(['REMOVED'], 'STARTING')).toThrow('illegal instance transition REMOVED → STARTING');
    expect(() => assertTransitions(['RUNNING', 'STOPPED'], 'STOPPED')).toThrow('RUNNING');
  });

  it('says why an action is refused', () => {
    expect(refusal('restart', 'REMOVED')).toBe('A removed instance cannot be restarted.');
    expect(refusal('start', 'REMOVED')).toBe('A removed instance cannot be started.');
    expect(refusal('stop', 'REMOVED')).toBe('A removed instance cannot be stopped.');
    expect(refusal('remove', 'REMOVED')).toBe('This instance is already removed.');
    expect(refusal('start', 'RUNNING')).toBe('This instance is running already.');
    expect(refusal('start', 'STOPPING')).toBe('This instance is stopping; start it again once it has stopped.');
    expect(refusal('stop', 'STOPPED')).toBe('This instance is stopped already.');
    expect(refusal('stop', 'FAILED')).toBe('This instance has failed: there is nothing to stop.');
    expect(refusal('restart', 'STARTING')).toMatch(/^This instance is starting; restart it once it has settled/);
  });
});
