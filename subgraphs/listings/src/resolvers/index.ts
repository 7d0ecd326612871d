import { DateTimeScalar } from '@market/platform';
import type { Resolvers } from '../generated/graphql';
import { Query } from './query';
import { Mutation } from './mutation';
import { Listing } from './listing';
import { User } from './user';

export const resolvers: Resolvers = { DateTime: DateTimeScalar, Query, Mutation, Listing, User };
