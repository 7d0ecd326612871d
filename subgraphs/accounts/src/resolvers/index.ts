import { DateTimeScalar } from '@market/platform';
import type { Resolvers } from '../generated/graphql';
import { Query } from './query';
import { authMutations } from './auth-mutations';
import { accountMutations } from './account-mutations';
import { adminMutations } from './admin-mutations';
import { socialMutations } from './social-mutations';
import { User } from './user';
import { Session } from './session';
import { Contact } from './contact';
import { DevOutboxMessage } from './dev-outbox-message';

export const resolvers: Resolvers = {
  DateTime: DateTimeScalar,
  Query,
  Mutation: { ...authMutations, ...accountMutations, ...adminMutations, ...socialMutations },
  User,
  Session,
  Contact,
  DevOutboxMessage,
};
