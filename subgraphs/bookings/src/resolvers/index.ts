import { DateTimeScalar, LocalDateScalar } from '@market/platform';
import type { Resolvers } from '../generated/graphql';
import { Query } from './query';
import { Mutation } from './mutation';
import { Stay } from './stay';
import { ViewingAppointment } from './viewing-appointment';
import { ViewingSlot } from './viewing-slot';
import { CalendarBlock } from './calendar-block';
import { Listing } from './listing';
import { User } from './user';

export const resolvers: Resolvers = {
  DateTime: DateTimeScalar,
  Date: LocalDateScalar,
  Query,
  Mutation,
  Stay,
  ViewingAppointment,
  ViewingSlot,
  CalendarBlock,
  Listing,
  User,
};
