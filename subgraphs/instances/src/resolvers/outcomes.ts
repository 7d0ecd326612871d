import type {
  CapacityExhaustedResolvers,
  MachineRetiredResolvers,
  NoPortAvailableResolvers,
  QuotaExceededResolvers,
} from '../generated/graphql';

export const QuotaExceeded: QuotaExceededResolvers = {
  message: (o) => `You already hold ${o.limit} instance(s) of "${o.machine.name}", the most one user may; remove one to start another.`,
};

export const CapacityExhausted: CapacityExhaustedResolvers = {
  message: (o) => `All ${o.capacity} slot(s) of "${o.machine.name}" are taken; try again when an instance is removed.`,
};

export const NoPortAvailable: NoPortAvailableResolvers = {
  message: (o) => `Every port on ${o.host} is in use; try again when an instance is removed.`,
};

export const MachineRetired: MachineRetiredResolvers = {
  message: (o) => `"${o.machine.name}" is retired and starts no new instances; choose another machine.`,
};
