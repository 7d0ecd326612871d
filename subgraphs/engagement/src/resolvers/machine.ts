import type { MachineResolvers } from '../generated/graphql';
import { targetFields } from './engagement-fields';

export const Machine: MachineResolvers = {
  __resolveReference: (ref) => ({ id: ref.id }),
  ...targetFields('MACHINE'),
};
