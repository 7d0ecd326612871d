import type { BaseContext, DataLoader, PubSub } from '@market/platform';
import type { InstanceRecord, MachineRecord } from './domain';
import type { MachineService } from './services/machine-service';
import type { InstanceService } from './services/instance-service';

export interface Loaders {
  machineById: DataLoader<string, MachineRecord | null>;
  /** Unfiltered: callers decide who may see an instance (InstanceService.visible). */
  instanceById: DataLoader<string, InstanceRecord | null>;
  /** Per owner, newest first, without REMOVED ones. */
  liveInstancesByOwner: DataLoader<string, InstanceRecord[]>;
  /** Per owner, newest first, REMOVED ones included. */
  allInstancesByOwner: DataLoader<string, InstanceRecord[]>;
}

export interface Context extends BaseContext {
  machines: MachineService;
  instances: InstanceService;
  loaders: Loaders;
  /** Fan-out for the Subscription fields. */
  pubsub: PubSub;
}
