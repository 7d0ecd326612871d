import type { CreateInstanceResultResolvers } from '../generated/graphql';

const typeOfOutcome = {
  quotaExceeded: 'QuotaExceeded',
  capacityExhausted: 'CapacityExhausted',
  noPortAvailable: 'NoPortAvailable',
  machineRetired: 'MachineRetired',
} as const;

export const CreateInstanceResult: CreateInstanceResultResolvers = {
  __resolveType: (result) => ('kind' in result ? typeOfOutcome[result.kind] : 'Instance'),
};
