import { DateTimeScalar } from '@market/platform';
import type { Resolvers } from '../generated/graphql';
import { Query } from './query';
import { Mutation } from './mutation';
import { User } from './user';
import { Conversation, ReadReceipt } from './conversation';
import { Message, MessageAttachment, MessageConnection } from './message';
import { InboxUpdate } from './inbox-update';
import { Delivery } from './delivery';
import { Notification } from './notification';
import { Subscription } from './subscription';
import { TypingEvent } from './typing-event';
import { Listing } from './listing';
import { ListingWatch } from './listing-watch';

export const resolvers: Resolvers = {
  DateTime: DateTimeScalar,
  Query,
  Mutation,
  User,
  Conversation,
  Message,
  MessageAttachment,
  Notification,
  TypingEvent,
  Subscription,
  Listing,
  ListingWatch,
  ReadReceipt,
  MessageConnection,
  InboxUpdate,
  Delivery,
};
