import { DateTimeScalar } from '@market/platform';
import type { Resolvers } from '../generated/graphql';
import { Query } from './query';
import { Mutation } from './mutation';
import { Machine } from './machine';
import { Instance } from './instance';
import { User } from './user';
import { CreateInstanceResult } from './create-instance-result';
import { CapacityExhausted, NoPortAvailable, QuotaExceeded } from './outcomes';

export const resolvers: Resolvers = {
  DateTime: DateTimeScalar,
  Query,
  Mutation,
  Machine,
  Instance,
  User,
  CreateInstanceResult,
  QuotaExceeded,
  CapacityExhausted,
  NoPortAvailable,
};
