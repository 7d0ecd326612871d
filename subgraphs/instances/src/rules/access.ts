import type { Identity, Role } from '@market/platform';
import type { InstanceRecord, MachineRecord } from '../domain';

/** Only the owner and admins see an instance; to everyone else it does not exist. */
export function canSee(identity: Identity | null, instance: InstanceRecord): boolean {
  return identity !== null && (identity.userId === instance.ownerId || identity.role === 'ADMIN');
}

/** Empty means every role; admins may start any machine, as they pass every role check. */
export function mayStart(machine: Pick<MachineRecord, 'allowedRoles'>, role: Role): boolean {
  return role === 'ADMIN' || machine.allowedRoles.length === 0 || machine.allowedRoles.includes(role);
}
