import type { GraphQLResolveInfo, GraphQLScalarType, GraphQLScalarTypeConfig } from 'graphql';
import type { StayRecord, ViewingRecord, ListingRef, UserRef } from '../domain';
import type { Context } from '../context';
export type Maybe<T> = T | null;
export type InputMaybe<T> = Maybe<T>;
export type RequireFields<T, K extends keyof T> = Omit<T, K> & { [P in K]-?: NonNullable<T[P]> };
/** All built-in and custom scalars, mapped to their actual values */
export type Scalars = {
  ID: { input: string; output: string; }
  String: { input: string; output: string; }
  Boolean: { input: boolean; output: boolean; }
  Int: { input: number; output: number; }
  Float: { input: number; output: number; }
  /** A calendar date without a time zone, as YYYY-MM-DD (local to the listing). */
  Date: { input: string; output: string; }
  /** An instant, as an ISO-8601 string in UTC. */
  DateTime: { input: Date; output: Date; }
  _FieldSet: { input: unknown; output: unknown; }
};

export type BookStayInput = {
  /** The day of arrival in the listing's time zone; today or later. */
  checkIn: Scalars['Date']['input'];
  /** The day of departure; after checkIn, at most 365 nights later. */
  checkOut: Scalars['Date']['input'];
  /** At least 1, at most the listing's capacity. */
  guests: Scalars['Int']['input'];
  /** A listing for rent. */
  listingId: Scalars['ID']['input'];
};

/** A booked stay, or why it could not be booked. */
export type BookStayResult = DatesUnavailable | ListingUnavailable | Stay;

/** The dates overlap a stay already held at this listing; nothing was booked. */
export type DatesUnavailable = {
  __typename?: 'DatesUnavailable';
  checkIn: Scalars['Date']['output'];
  checkOut: Scalars['Date']['output'];
  listingId: Scalars['ID']['output'];
  message: Scalars['String']['output'];
};

/** A listing, owned by the listings subgraph; bookings adds its stays and viewings. */
export type Listing = {
  __typename?: 'Listing';
  id: Scalars['ID']['output'];
  /** The stays booked at this listing, by check-in. The listing's owner and admins only (FORBIDDEN otherwise). */
  stays?: Maybe<Array<Stay>>;
  /** The viewings requested for this listing, by start. The listing's owner and admins only (FORBIDDEN otherwise). */
  viewings?: Maybe<Array<ViewingAppointment>>;
};

/** The property does not exist, is not for rent, or is not available now; nothing was booked. */
export type ListingUnavailable = {
  __typename?: 'ListingUnavailable';
  listingId: Scalars['ID']['output'];
  message: Scalars['String']['output'];
};

export type Mutation = {
  __typename?: 'Mutation';
  /** Books a stay (status REQUESTED) for the signed-in user. The price is computed here, never taken from the client. */
  bookStay: BookStayResult;
  /** Cancels a REQUESTED or CONFIRMED stay (its guest, the listing's owner or an admin); CONFLICT in any other status. */
  cancelStay: Stay;
  /** Asks the agent of a listing for sale for a viewing (status PENDING). */
  requestViewing: ViewingAppointment;
};


export type MutationBookStayArgs = {
  input: BookStayInput;
};


export type MutationCancelStayArgs = {
  id: Scalars['ID']['input'];
};


export type MutationRequestViewingArgs = {
  input: RequestViewingInput;
};

export type Query = {
  __typename?: 'Query';
  /** The signed-in user's stays, newest check-in first. */
  myStays: Array<Stay>;
  /** A stay, for its guest, the listing's owner and admins; NOT_FOUND for everyone else. */
  stay?: Maybe<Stay>;
  /** A viewing, for its buyer, its agent and admins; NOT_FOUND for everyone else. */
  viewing?: Maybe<ViewingAppointment>;
};


export type QueryStayArgs = {
  id: Scalars['ID']['input'];
};


export type QueryViewingArgs = {
  id: Scalars['ID']['input'];
};

export type RequestViewingInput = {
  /** 15 minutes to 4 hours after startsAt. */
  endsAt: Scalars['DateTime']['input'];
  /** A listing for sale. */
  listingId: Scalars['ID']['input'];
  /** Up to 1000 characters for the agent. */
  note?: InputMaybe<Scalars['String']['input']>;
  /** In the future. */
  startsAt: Scalars['DateTime']['input'];
};

/** A guest's stay at a rental listing over the nights from checkIn to checkOut (checkOut is the day of departure). */
export type Stay = {
  __typename?: 'Stay';
  /** The day of arrival, in the listing's time zone. */
  checkIn: Scalars['Date']['output'];
  /** The day of departure, in the listing's time zone; that night is not part of the stay. */
  checkOut: Scalars['Date']['output'];
  createdAt: Scalars['DateTime']['output'];
  /** ISO-4217 code of totalPrice. */
  currency: Scalars['String']['output'];
  /** Who booked the stay. */
  guest: User;
  /** How many people stay. */
  guests: Scalars['Int']['output'];
  id: Scalars['ID']['output'];
  /** The rental listing. */
  listing: Listing;
  /** Nights between checkIn and checkOut. */
  nights: Scalars['Int']['output'];
  status: StayStatus;
  /** nights × the listing's price per night when booked, as a decimal string ("360.00"); never recomputed. */
  totalPrice: Scalars['String']['output'];
};

/** Where a stay stands. */
export type StayStatus =
  /** Called off by the guest or the host; the dates are free again. */
  | 'CANCELLED'
  /** The guest has checked out. */
  | 'COMPLETED'
  /** Accepted by the host; the dates are held. */
  | 'CONFIRMED'
  /** Refused by the host; the dates are free again. */
  | 'DECLINED'
  /** Booked by the guest; the dates are held. */
  | 'REQUESTED';

/** A user, owned by the accounts subgraph; bookings adds their stays and viewings. */
export type User = {
  __typename?: 'User';
  id: Scalars['ID']['output'];
  /** The stays this user booked as a guest, newest check-in first. The user themselves and admins only (FORBIDDEN otherwise). */
  stays?: Maybe<Array<Stay>>;
  /** The viewings this user requested as a buyer, soonest first. The user themselves and admins only (FORBIDDEN otherwise). */
  viewings?: Maybe<Array<ViewingAppointment>>;
};

/** A buyer's appointment to view a listing for sale with its agent. */
export type ViewingAppointment = {
  __typename?: 'ViewingAppointment';
  /** Who shows it: the listing's owner. */
  agent: User;
  /** Who asked to view it. */
  buyer: User;
  createdAt: Scalars['DateTime']['output'];
  endsAt: Scalars['DateTime']['output'];
  id: Scalars['ID']['output'];
  /** The listing for sale. */
  listing: Listing;
  /** What the buyer wrote to the agent. */
  note?: Maybe<Scalars['String']['output']>;
  startsAt: Scalars['DateTime']['output'];
  status: ViewingStatus;
};

/** Where a viewing appointment stands. */
export type ViewingStatus =
  /** Called off. */
  | 'CANCELLED'
  /** Confirmed by the agent; an agent's confirmed viewings never overlap. */
  | 'CONFIRMED'
  /** Requested by the buyer; the agent has not confirmed it yet. */
  | 'PENDING';



export type ResolverTypeWrapper<T> = Promise<T> | T;

export type ReferenceResolver<TResult, TReference, TContext> = (
      reference: TReference,
      context: TContext,
      info: GraphQLResolveInfo
    ) => Promise<TResult> | TResult;

      type ScalarCheck<T, S> = S extends true ? T : NullableCheck<T, S>;
      type NullableCheck<T, S> = Maybe<T> extends T ? Maybe<ListCheck<NonNullable<T>, S>> : ListCheck<T, S>;
      type ListCheck<T, S> = T extends (infer U)[] ? NullableCheck<U, S>[] : GraphQLRecursivePick<T, S>;
      export type GraphQLRecursivePick<T, S> = { [K in keyof T & keyof S]: ScalarCheck<T[K], S[K]> };
    

export type ResolverWithResolve<TResult, TParent, TContext, TArgs> = {
  resolve: ResolverFn<TResult, TParent, TContext, TArgs>;
};
export type Resolver<TResult, TParent = Record<PropertyKey, never>, TContext = Record<PropertyKey, never>, TArgs = Record<PropertyKey, never>> = ResolverFn<TResult, TParent, TContext, TArgs> | ResolverWithResolve<TResult, TParent, TContext, TArgs>;

export type ResolverFn<TResult, TParent, TContext, TArgs> = (
  parent: TParent,
  args: TArgs,
  context: TContext,
  info: GraphQLResolveInfo
) => Promise<TResult> | TResult;

export type SubscriptionSubscribeFn<TResult, TParent, TContext, TArgs> = (
  parent: TParent,
  args: TArgs,
  context: TContext,
  info: GraphQLResolveInfo
) => AsyncIterable<TResult> | Promise<AsyncIterable<TResult>>;

export type SubscriptionResolveFn<TResult, TParent, TContext, TArgs> = (
  parent: TParent,
  args: TArgs,
  context: TContext,
  info: GraphQLResolveInfo
) => TResult | Promise<TResult>;

export interface SubscriptionSubscriberObject<TResult, TKey extends string, TParent, TContext, TArgs> {
  subscribe: SubscriptionSubscribeFn<{ [key in TKey]: TResult }, TParent, TContext, TArgs>;
  resolve?: SubscriptionResolveFn<TResult, { [key in TKey]: TResult }, TContext, TArgs>;
}

export interface SubscriptionResolverObject<TResult, TParent, TContext, TArgs> {
  subscribe: SubscriptionSubscribeFn<any, TParent, TContext, TArgs>;
  resolve: SubscriptionResolveFn<TResult, any, TContext, TArgs>;
}

export type SubscriptionObject<TResult, TKey extends string, TParent, TContext, TArgs> =
  | SubscriptionSubscriberObject<TResult, TKey, TParent, TContext, TArgs>
  | SubscriptionResolverObject<TResult, TParent, TContext, TArgs>;

export type SubscriptionResolver<TResult, TKey extends string, TParent = Record<PropertyKey, never>, TContext = Record<PropertyKey, never>, TArgs = Record<PropertyKey, never>> =
  | ((...args: any[]) => SubscriptionObject<TResult, TKey, TParent, TContext, TArgs>)
  | SubscriptionObject<TResult, TKey, TParent, TContext, TArgs>;

export type TypeResolveFn<TTypes, TParent = Record<PropertyKey, never>, TContext = Record<PropertyKey, never>> = (
  parent: TParent,
  context: TContext,
  info: GraphQLResolveInfo
) => Maybe<TTypes> | Promise<Maybe<TTypes>>;

export type IsTypeOfResolverFn<T = Record<PropertyKey, never>, TContext = Record<PropertyKey, never>> = (obj: T, context: TContext, info: GraphQLResolveInfo) => boolean | Promise<boolean>;

export type NextResolverFn<T> = () => Promise<T>;

export type DirectiveResolverFn<TResult = Record<PropertyKey, never>, TParent = Record<PropertyKey, never>, TContext = Record<PropertyKey, never>, TArgs = Record<PropertyKey, never>> = (
  next: NextResolverFn<TResult>,
  parent: TParent,
  args: TArgs,
  context: TContext,
  info: GraphQLResolveInfo
) => TResult | Promise<TResult>;

/** Mapping of federation types */
export type FederationTypes = {
  Listing: Listing;
  Stay: Stay;
  User: User;
  ViewingAppointment: ViewingAppointment;
};

/** Mapping of federation reference types */
export type FederationReferenceTypes = {
  Listing:
    ( { __typename: 'Listing' }
    & GraphQLRecursivePick<FederationTypes['Listing'], {"id":true}> );
  Stay:
    ( { __typename: 'Stay' }
    & GraphQLRecursivePick<FederationTypes['Stay'], {"id":true}> );
  User:
    ( { __typename: 'User' }
    & GraphQLRecursivePick<FederationTypes['User'], {"id":true}> );
  ViewingAppointment:
    ( { __typename: 'ViewingAppointment' }
    & GraphQLRecursivePick<FederationTypes['ViewingAppointment'], {"id":true}> );
};

/** Mapping of union types */
export type ResolversUnionTypes<_RefType extends Record<string, unknown>> = {
  BookStayResult:
    | ( DatesUnavailable )
    | ( ListingUnavailable )
    | ( StayRecord )
  ;
};


/** Mapping between all available schema types and the resolvers types */
export type ResolversTypes = {
  BookStayInput: BookStayInput;
  Int: ResolverTypeWrapper<Scalars['Int']['output']>;
  ID: ResolverTypeWrapper<Scalars['ID']['output']>;
  BookStayResult: ResolverTypeWrapper<ResolversUnionTypes<ResolversTypes>['BookStayResult']>;
  Date: ResolverTypeWrapper<Scalars['Date']['output']>;
  DateTime: ResolverTypeWrapper<Scalars['DateTime']['output']>;
  DatesUnavailable: ResolverTypeWrapper<DatesUnavailable>;
  String: ResolverTypeWrapper<Scalars['String']['output']>;
  Listing: ResolverTypeWrapper<ListingRef>;
  ListingUnavailable: ResolverTypeWrapper<ListingUnavailable>;
  Mutation: ResolverTypeWrapper<Record<PropertyKey, never>>;
  Query: ResolverTypeWrapper<Record<PropertyKey, never>>;
  RequestViewingInput: RequestViewingInput;
  Stay: ResolverTypeWrapper<StayRecord>;
  StayStatus: StayStatus;
  User: ResolverTypeWrapper<UserRef>;
  ViewingAppointment: ResolverTypeWrapper<ViewingRecord>;
  ViewingStatus: ViewingStatus;
  Boolean: ResolverTypeWrapper<Scalars['Boolean']['output']>;
};

/** Mapping between all available schema types and the resolvers parents */
export type ResolversParentTypes = {
  BookStayInput: BookStayInput;
  Int: Scalars['Int']['output'];
  ID: Scalars['ID']['output'];
  BookStayResult: ResolversUnionTypes<ResolversParentTypes>['BookStayResult'];
  Date: Scalars['Date']['output'];
  DateTime: Scalars['DateTime']['output'];
  DatesUnavailable: DatesUnavailable;
  String: Scalars['String']['output'];
  Listing: ListingRef;
  ListingUnavailable: ListingUnavailable;
  Mutation: Record<PropertyKey, never>;
  Query: Record<PropertyKey, never>;
  RequestViewingInput: RequestViewingInput;
  Stay: StayRecord;
  User: UserRef;
  ViewingAppointment: ViewingRecord;
  Boolean: Scalars['Boolean']['output'];
};

export type BookStayResultResolvers<ContextType = Context, ParentType extends ResolversParentTypes['BookStayResult'] = ResolversParentTypes['BookStayResult']> = {
  __resolveType: TypeResolveFn<'DatesUnavailable' | 'ListingUnavailable' | 'Stay', ParentType, ContextType>;
};

export interface DateScalarConfig extends GraphQLScalarTypeConfig<ResolversTypes['Date'], any> {
  name: 'Date';
}

export interface DateTimeScalarConfig extends GraphQLScalarTypeConfig<ResolversTypes['DateTime'], any> {
  name: 'DateTime';
}

export type DatesUnavailableResolvers<ContextType = Context, ParentType extends ResolversParentTypes['DatesUnavailable'] = ResolversParentTypes['DatesUnavailable']> = {
  checkIn?: Resolver<ResolversTypes['Date'], ParentType, ContextType>;
  checkOut?: Resolver<ResolversTypes['Date'], ParentType, ContextType>;
  listingId?: Resolver<ResolversTypes['ID'], ParentType, ContextType>;
  message?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  __isTypeOf?: IsTypeOfResolverFn<ParentType, ContextType>;
};

export type ListingResolvers<ContextType = Context, ParentType extends ResolversParentTypes['Listing'] = ResolversParentTypes['Listing'], FederationReferenceType extends FederationReferenceTypes['Listing'] = FederationReferenceTypes['Listing']> = {
  __resolveReference?: ReferenceResolver<Maybe<ResolversTypes['Listing']> | FederationReferenceType, FederationReferenceType, ContextType>;
  id?: Resolver<ResolversTypes['ID'], ParentType, ContextType>;
  stays?: Resolver<Maybe<Array<ResolversTypes['Stay']>>, ParentType, ContextType>;
  viewings?: Resolver<Maybe<Array<ResolversTypes['ViewingAppointment']>>, ParentType, ContextType>;
};

export type ListingUnavailableResolvers<ContextType = Context, ParentType extends ResolversParentTypes['ListingUnavailable'] = ResolversParentTypes['ListingUnavailable']> = {
  listingId?: Resolver<ResolversTypes['ID'], ParentType, ContextType>;
  message?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  __isTypeOf?: IsTypeOfResolverFn<ParentType, ContextType>;
};

export type MutationResolvers<ContextType = Context, ParentType extends ResolversParentTypes['Mutation'] = ResolversParentTypes['Mutation']> = {
  bookStay?: Resolver<ResolversTypes['BookStayResult'], ParentType, ContextType, RequireFields<MutationBookStayArgs, 'input'>>;
  cancelStay?: Resolver<ResolversTypes['Stay'], ParentType, ContextType, RequireFields<MutationCancelStayArgs, 'id'>>;
  requestViewing?: Resolver<ResolversTypes['ViewingAppointment'], ParentType, ContextType, RequireFields<MutationRequestViewingArgs, 'input'>>;
};

export type QueryResolvers<ContextType = Context, ParentType extends ResolversParentTypes['Query'] = ResolversParentTypes['Query']> = {
  myStays?: Resolver<Array<ResolversTypes['Stay']>, ParentType, ContextType>;
  stay?: Resolver<Maybe<ResolversTypes['Stay']>, ParentType, ContextType, RequireFields<QueryStayArgs, 'id'>>;
  viewing?: Resolver<Maybe<ResolversTypes['ViewingAppointment']>, ParentType, ContextType, RequireFields<QueryViewingArgs, 'id'>>;
};

export type StayResolvers<ContextType = Context, ParentType extends ResolversParentTypes['Stay'] = ResolversParentTypes['Stay'], FederationReferenceType extends FederationReferenceTypes['Stay'] = FederationReferenceTypes['Stay']> = {
  __resolveReference?: ReferenceResolver<Maybe<ResolversTypes['Stay']> | FederationReferenceType, FederationReferenceType, ContextType>;
  checkIn?: Resolver<ResolversTypes['Date'], ParentType, ContextType>;
  checkOut?: Resolver<ResolversTypes['Date'], ParentType, ContextType>;
  createdAt?: Resolver<ResolversTypes['DateTime'], ParentType, ContextType>;
  currency?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  guest?: Resolver<ResolversTypes['User'], ParentType, ContextType>;
  guests?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
  id?: Resolver<ResolversTypes['ID'], ParentType, ContextType>;
  listing?: Resolver<ResolversTypes['Listing'], ParentType, ContextType>;
  nights?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
  status?: Resolver<ResolversTypes['StayStatus'], ParentType, ContextType>;
  totalPrice?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  __isTypeOf?: IsTypeOfResolverFn<ParentType, ContextType>;
};

export type UserResolvers<ContextType = Context, ParentType extends ResolversParentTypes['User'] = ResolversParentTypes['User'], FederationReferenceType extends FederationReferenceTypes['User'] = FederationReferenceTypes['User']> = {
  __resolveReference?: ReferenceResolver<Maybe<ResolversTypes['User']> | FederationReferenceType, FederationReferenceType, ContextType>;
  id?: Resolver<ResolversTypes['ID'], ParentType, ContextType>;
  stays?: Resolver<Maybe<Array<ResolversTypes['Stay']>>, ParentType, ContextType>;
  viewings?: Resolver<Maybe<Array<ResolversTypes['ViewingAppointment']>>, ParentType, ContextType>;
};

export type ViewingAppointmentResolvers<ContextType = Context, ParentType extends ResolversParentTypes['ViewingAppointment'] = ResolversParentTypes['ViewingAppointment'], FederationReferenceType extends FederationReferenceTypes['ViewingAppointment'] = FederationReferenceTypes['ViewingAppointment']> = {
  __resolveReference?: ReferenceResolver<Maybe<ResolversTypes['ViewingAppointment']> | FederationReferenceType, FederationReferenceType, ContextType>;
  agent?: Resolver<ResolversTypes['User'], ParentType, ContextType>;
  buyer?: Resolver<ResolversTypes['User'], ParentType, ContextType>;
  createdAt?: Resolver<ResolversTypes['DateTime'], ParentType, ContextType>;
  endsAt?: Resolver<ResolversTypes['DateTime'], ParentType, ContextType>;
  id?: Resolver<ResolversTypes['ID'], ParentType, ContextType>;
  listing?: Resolver<ResolversTypes['Listing'], ParentType, ContextType>;
  note?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
  startsAt?: Resolver<ResolversTypes['DateTime'], ParentType, ContextType>;
  status?: Resolver<ResolversTypes['ViewingStatus'], ParentType, ContextType>;
};

export type Resolvers<ContextType = Context> = {
  BookStayResult?: BookStayResultResolvers<ContextType>;
  Date?: GraphQLScalarType;
  DateTime?: GraphQLScalarType;
  DatesUnavailable?: DatesUnavailableResolvers<ContextType>;
  Listing?: ListingResolvers<ContextType>;
  ListingUnavailable?: ListingUnavailableResolvers<ContextType>;
  Mutation?: MutationResolvers<ContextType>;
  Query?: QueryResolvers<ContextType>;
  Stay?: StayResolvers<ContextType>;
  User?: UserResolvers<ContextType>;
  ViewingAppointment?: ViewingAppointmentResolvers<ContextType>;
};

