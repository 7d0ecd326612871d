import type { InstanceStatus } from '../domain';

/**
 * The instance state machine: requested → starting → running → stopping → stopped, failed from
 * starting or running (it could not start, or exited on its own), unhealthy from running (its health
 * check failed) and back, started again from stopped or
 * failed, removed from anywhere but removed. Every write
 * of a status names the statuses it may leave (UPDATE ... WHERE status = ANY(from)), so a transition
 * the machine does not allow cannot be written, however requests interleave.
 */
export const TRANSITIONS: Readonly<Record<InstanceStatus, readonly InstanceStatus[]>> = {
  REQUESTED: ['STARTING', 'REMOVED'],
  STARTING: ['RUNNING', 'FAILED', 'STOPPING', 'REMOVED'],
  RUNNING: ['STOPPING', 'FAILED', 'REMOVED', 'UNHEALTHY'],
  // The health check failing after RUNNING; back to RUNNING once it passes again.
  UNHEALTHY: ['RUNNING', 'STOPPING', 'FAILED', 'REMOVED'],
  STOPPING: ['STOPPED', 'REMOVED'],
  STOPPED: ['STARTING', 'REMOVED'],
  FAILED: ['STARTING', 'REMOVED'],
  REMOVED: [],
};

export function mayMove(from: InstanceStatus, to: InstanceStatus): boolean {
  return TRANSITIONS[from].includes(to);
}

/** Throws when code asks for a transition the machine does not have (a bug, never a client's fault). */
export function assertTransitions(from: readonly InstanceStatus[], to: InstanceStatus): void {
  const illegal = from.filter((f) => !mayMove(f, to));
  if (illegal.length > 0) throw new Error(`illegal instance transition ${illegal.join('|')} → ${to}`);
}

/** What owners ask for. */
export type LifecycleAction = 'start' | 'stop' | 'restart' | 'remove';

/** The statuses each action may be asked in, and the status it moves the instance to at once. */
export const ACTIONS: Readonly<Record<LifecycleAction, { from: readonly InstanceStatus[]; to: InstanceStatus }>> = {
  start: { from: ['REQUESTED', 'STOPPED', 'FAILED'], to: 'STARTING' },
  stop: { from: ['STARTING', 'RUNNING', 'UNHEALTHY'], to: 'STOPPING' },
  // A running instance is stopped first (and started again once stopped); anything at rest just starts.
  restart: { from: ['RUNNING', 'UNHEALTHY', 'REQUESTED', 'STOPPED', 'FAILED'], to: 'STARTING' },
  remove: { from: ['REQUESTED', 'STARTING', 'RUNNING', 'UNHEALTHY', 'STOPPING', 'STOPPED', 'FAILED'], to: 'REMOVED' },
};

const WORDS: Record<InstanceStatus, string> = {
  REQUESTED: 'has not been started yet',
  STARTING: 'is starting',
  RUNNING: 'is running',
  STOPPING: 'is stopping',
  STOPPED: 'is stopped',
  FAILED: 'has failed',
  REMOVED: 'is removed',
  UNHEALTHY: 'is running but unhealthy',
};

/** Why `action` is refused while the instance is in `status`: the CONFLICT message a client sees. */
export function refusal(action: LifecycleAction, status: InstanceStatus): string {
  if (status === 'REMOVED') {
    return action === 'remove'
      ? 'This instance is already removed.'
      : `A removed instance cannot be ${action === 'stop' ? 'stopped' : `${action}ed`}.`;
  }
  switch (action) {
    case 'start':
      return status === 'STOPPING'
        ? 'This instance is stopping; start it again once it has stopped.'
        : `This instance ${WORDS[status]} already.`;
    case 'stop':
      return status === 'STOPPING' || status === 'STOPPED'
        ? `This instance ${WORDS[status]} already.`
        : `This instance ${WORDS[status]}: there is nothing to stop.`;
    case 'restart':
      return `This instance ${WORDS[status]}; restart it once it has settled (RUNNING, STOPPED or FAILED).`;
    case 'remove':
      return `This instance ${WORDS[status]}.`;
  }
}
