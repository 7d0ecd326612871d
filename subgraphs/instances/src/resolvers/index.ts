import { DateTimeScalar } from '@market/platform';
import type { Resolvers } from '../generated/graphql';
import { Query } from './query';
import { Mutation } from './mutation';
import { Subscription } from './subscription';
import { Machine } from './machine';
import { Instance } from './instance';
import { InstanceLogLine, InstanceLogLineConnection } from './instance-log-line';
import { User } from './user';
import { CreateInstanceResult } from './create-instance-result';
import { CapacityExhausted, MachineRetired, NoPortAvailable, QuotaExceeded } from './outcomes';

export const resolvers: Resolvers = {
  DateTime: DateTimeScalar,
  Query,
  Mutation,
  Subscription,
  Machine,
  Instance,
  InstanceLogLine,
  InstanceLogLineConnection,
  User,
  CreateInstanceResult,
  QuotaExceeded,
  CapacityExhausted,
  NoPortAvailable,
  MachineRetired,
};
