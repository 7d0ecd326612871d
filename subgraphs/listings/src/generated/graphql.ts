import type { GraphQLResolveInfo, GraphQLScalarType, GraphQLScalarTypeConfig } from 'graphql';
import type { ListingRecord, UserRef } from '../domain';
import type { Context } from '../context';
export type Maybe<T> = T | null;
export type InputMaybe<T> = Maybe<T>;
export type Omit<T, K extends keyof T> = Pick<T, Exclude<keyof T, K>>;
export type RequireFields<T, K extends keyof T> = Omit<T, K> & { [P in K]-?: NonNullable<T[P]> };
/** All built-in and custom scalars, mapped to their actual values */
export type Scalars = {
  ID: { input: string; output: string; }
  String: { input: string; output: string; }
  Boolean: { input: boolean; output: boolean; }
  Int: { input: number; output: number; }
  Float: { input: number; output: number; }
  /** An instant, as an ISO-8601 string in UTC. */
  DateTime: { input: Date; output: Date; }
  _FieldSet: { input: unknown; output: unknown; }
};

/** A postal address. */
export type Address = {
  __typename?: 'Address';
  /** City, town or village. */
  city: Scalars['String']['output'];
  /** ISO 3166-1 alpha-2 country code, e.g. US. */
  country: Scalars['String']['output'];
  /** Street and number. */
  line1: Scalars['String']['output'];
  /** Apartment, suite, floor. */
  line2?: Maybe<Scalars['String']['output']>;
  /** State, province or county, where the country has them. */
  region?: Maybe<Scalars['String']['output']>;
};

/** A postal address. */
export type AddressInput = {
  /** City, town or village, up to 120 characters. */
  city: Scalars['String']['input'];
  /** ISO 3166-1 alpha-2 country code, e.g. US. */
  country: Scalars['String']['input'];
  /** Street and number, up to 200 characters. */
  line1: Scalars['String']['input'];
  /** Apartment, suite, floor, up to 200 characters. */
  line2?: InputMaybe<Scalars['String']['input']>;
  /** State, province or county, up to 120 characters. */
  region?: InputMaybe<Scalars['String']['input']>;
};

/**
 * A new listing. SALE listings need `price` and take no rental fields; RENT listings need
 * `pricePerNight` and `maxGuests` and take no `price`. Amounts are decimal strings with at most two
 * decimals ("350000", "89.50").
 */
export type CreateListingInput = {
  /** Where the property is. */
  address: AddressInput;
  /** Number of bathrooms, 0 or more. */
  bathrooms?: InputMaybe<Scalars['Int']['input']>;
  /** Number of bedrooms, 0 or more. */
  bedrooms?: InputMaybe<Scalars['Int']['input']>;
  /** Cleaning fee per stay, decimal string; RENT only. */
  cleaningFee?: InputMaybe<Scalars['String']['input']>;
  /** ISO 4217 code. */
  currency?: InputMaybe<Scalars['String']['input']>;
  /** Up to 10,000 characters. */
  description: Scalars['String']['input'];
  /** https URLs, at most 30. */
  images?: InputMaybe<Array<Scalars['String']['input']>>;
  /** Confirm stays without the host's approval; RENT only. */
  instantBook?: InputMaybe<Scalars['Boolean']['input']>;
  /** For sale or for rent; decides which price fields apply. */
  kind: ListingKind;
  /** Where the property is on a map. */
  location: GeoPointInput;
  /** Most guests at once, 1 or more; required for RENT. */
  maxGuests?: InputMaybe<Scalars['Int']['input']>;
  /** Longest stay in nights, not below minNights; RENT only. */
  maxNights?: InputMaybe<Scalars['Int']['input']>;
  /** Shortest stay in nights, 1 or more; RENT only. */
  minNights?: InputMaybe<Scalars['Int']['input']>;
  /** Sale price, decimal string; required for SALE, refused for RENT. */
  price?: InputMaybe<Scalars['String']['input']>;
  /** Nightly price, decimal string; required for RENT. */
  pricePerNight?: InputMaybe<Scalars['String']['input']>;
  /** What kind of property it is. */
  propertyType: PropertyType;
  /** DRAFT or ACTIVE. */
  status?: InputMaybe<ListingStatus>;
  /** IANA time zone name, e.g. America/New_York. */
  timeZone?: InputMaybe<Scalars['String']['input']>;
  /** 3 to 160 characters. */
  title: Scalars['String']['input'];
  /** Number of toilets, 0 or more. */
  toilets?: InputMaybe<Scalars['Int']['input']>;
  /** Postal code, up to 20 characters. */
  zipCode?: InputMaybe<Scalars['String']['input']>;
};

/** A point on the earth (WGS 84). */
export type GeoPoint = {
  __typename?: 'GeoPoint';
  /** Degrees, -90 to 90. */
  latitude: Scalars['Float']['output'];
  /** Degrees, -180 to 180. */
  longitude: Scalars['Float']['output'];
};

/** A point on the earth (WGS 84). */
export type GeoPointInput = {
  /** Degrees, -90 to 90. */
  latitude: Scalars['Float']['input'];
  /** Degrees, -180 to 180. */
  longitude: Scalars['Float']['input'];
};

/** A property offered for sale or for rent. */
export type Listing = {
  __typename?: 'Listing';
  /** Where the property is. */
  address: Address;
  /** Number of bathrooms. */
  bathrooms: Scalars['Int']['output'];
  /** Number of bedrooms (0 for a studio or land). */
  bedrooms: Scalars['Int']['output'];
  /** One-off cleaning fee per stay as an exact decimal string; RENT listings only. */
  cleaningFee?: Maybe<Scalars['String']['output']>;
  /** When it was created; browsing orders by it, newest first. */
  createdAt: Scalars['DateTime']['output'];
  /** ISO 4217 code of every amount on this listing, e.g. USD. */
  currency: Scalars['String']['output'];
  /** Free text, up to 10,000 characters. */
  description: Scalars['String']['output'];
  /** Stable identifier (a uuid). */
  id: Scalars['ID']['output'];
  /** Photo URLs (https), in display order; at most 30. */
  images: Array<Scalars['String']['output']>;
  /** Whether a stay is confirmed without the host's approval. */
  instantBook: Scalars['Boolean']['output'];
  /** For sale or for rent. */
  kind: ListingKind;
  /** Where the property is on a map. */
  location: GeoPoint;
  /** Most guests at once; set on RENT listings only. */
  maxGuests?: Maybe<Scalars['Int']['output']>;
  /** Longest stay in nights; RENT listings only. */
  maxNights?: Maybe<Scalars['Int']['output']>;
  /** Shortest stay in nights; RENT listings only. */
  minNights?: Maybe<Scalars['Int']['output']>;
  /** Who offers the listing. */
  owner: User;
  /** Sale price as an exact decimal string ("350000.00"); null for a rental. */
  price?: Maybe<Scalars['String']['output']>;
  /** Nightly price as an exact decimal string; set on RENT listings only. */
  pricePerNight?: Maybe<Scalars['String']['output']>;
  /** What kind of property it is. */
  propertyType: PropertyType;
  /** Where the listing is in its life. */
  status: ListingStatus;
  /** IANA time zone of the property (e.g. Europe/Lisbon); check-in days are local to it. */
  timeZone: Scalars['String']['output'];
  /** Headline shown in lists, 3 to 160 characters. */
  title: Scalars['String']['output'];
  /** Number of toilets, counting those in bathrooms. */
  toilets: Scalars['Int']['output'];
  /** When it last changed. */
  updatedAt: Scalars['DateTime']['output'];
  /** Postal code, where the country has them. */
  zipCode?: Maybe<Scalars['String']['output']>;
};

/** A page of listings, newest first. */
export type ListingConnection = {
  __typename?: 'ListingConnection';
  /** The listings of this page, in order. */
  edges: Array<ListingEdge>;
  /** Whether more follow, and where to continue. */
  pageInfo: PageInfo;
};

/** One listing in a page, with the cursor that points at it. */
export type ListingEdge = {
  __typename?: 'ListingEdge';
  /** Opaque; pass as `after` to continue after this listing. */
  cursor: Scalars['String']['output'];
  /** The listing. */
  node: Listing;
};

/** Narrows `listings`; every filter given must match. */
export type ListingFilter = {
  /** Exact city name, case ignored. */
  city?: InputMaybe<Scalars['String']['input']>;
  /** Only SALE or only RENT listings. */
  kind?: InputMaybe<ListingKind>;
  /** Highest price, decimal string, compared like `minPrice`. */
  maxPrice?: InputMaybe<Scalars['String']['input']>;
  /** At least this many bedrooms. */
  minBedrooms?: InputMaybe<Scalars['Int']['input']>;
  /** Lowest price, decimal string: compared with `price` on SALE listings and `pricePerNight` on RENT listings. */
  minPrice?: InputMaybe<Scalars['String']['input']>;
  /** Only this kind of property. */
  propertyType?: InputMaybe<PropertyType>;
};

/** Whether a listing is offered for sale or for rent. */
export type ListingKind =
  /** For rent by the night, at `pricePerNight`. */
  | 'RENT'
  /** For sale, at `price`. */
  | 'SALE';

/** Where a listing is in its life. */
export type ListingStatus =
  /** Open to buyers or guests; shown when browsing. */
  | 'ACTIVE'
  /** Withdrawn; only the owner and admins see it. */
  | 'ARCHIVED'
  /** Being prepared; only the owner and admins see it. */
  | 'DRAFT'
  /** Let (RENT listings only). */
  | 'RENTED'
  /** Sold (SALE listings only). */
  | 'SOLD'
  /** An offer was accepted; still visible, no longer browsable. */
  | 'UNDER_OFFER';

/** Writing listings; every change also publishes an event to other services. */
export type Mutation = {
  __typename?: 'Mutation';
  /** Creates a listing owned by the caller. Roles SELLER, AGENT, HOST and ADMIN. */
  createListing: Listing;
  /** Deletes a listing for good. Its owner or an admin; true once it is gone. */
  deleteListing: Scalars['Boolean']['output'];
  /** Changes a listing. Its owner or an admin. */
  updateListing: Listing;
};


/** Writing listings; every change also publishes an event to other services. */
export type MutationCreateListingArgs = {
  input: CreateListingInput;
};


/** Writing listings; every change also publishes an event to other services. */
export type MutationDeleteListingArgs = {
  id: Scalars['ID']['input'];
};


/** Writing listings; every change also publishes an event to other services. */
export type MutationUpdateListingArgs = {
  id: Scalars['ID']['input'];
  input: UpdateListingInput;
};

/** Where a page of a connection ends, and whether more follow. */
export type PageInfo = {
  __typename?: 'PageInfo';
  /** Pass as `after` to get the next page; null on an empty page. */
  endCursor?: Maybe<Scalars['String']['output']>;
  /** Whether another page follows this one. */
  hasNextPage: Scalars['Boolean']['output'];
};

/** What kind of property a listing is. */
export type PropertyType =
  /** A flat in a building, usually rented from one landlord. */
  | 'APARTMENT'
  /** Shops, offices and other business premises. */
  | 'COMMERCIAL'
  /** A unit owned in a building with shared common areas. */
  | 'CONDO'
  /** A detached or semi-detached house. */
  | 'HOUSE'
  /** A plot of land without a dwelling. */
  | 'LAND'
  /** A room in a shared home. */
  | 'ROOM'
  /** A house sharing walls with its neighbours in a row. */
  | 'TOWNHOUSE';

/** Reading listings. */
export type Query = {
  __typename?: 'Query';
  /** A listing by id, or null when there is none; DRAFT and ARCHIVED listings only for their owner and admins. */
  listing?: Maybe<Listing>;
  /** ACTIVE listings, newest first. `first` is at most 100; pass the previous page's `endCursor` as `after`. */
  listings: ListingConnection;
};


/** Reading listings. */
export type QueryListingArgs = {
  id: Scalars['ID']['input'];
};


/** Reading listings. */
export type QueryListingsArgs = {
  after?: InputMaybe<Scalars['String']['input']>;
  filter?: InputMaybe<ListingFilter>;
  first?: InputMaybe<Scalars['Int']['input']>;
};

/**
 * Changes to a listing: a field left out stays as it is; null clears an optional field. The result must
 * satisfy the same rules as a new listing.
 */
export type UpdateListingInput = {
  /** Replaces the whole address. */
  address?: InputMaybe<AddressInput>;
  /** Number of bathrooms, 0 or more. */
  bathrooms?: InputMaybe<Scalars['Int']['input']>;
  /** Number of bedrooms, 0 or more. */
  bedrooms?: InputMaybe<Scalars['Int']['input']>;
  /** Cleaning fee per stay, decimal string; RENT only. */
  cleaningFee?: InputMaybe<Scalars['String']['input']>;
  /** ISO 4217 code. */
  currency?: InputMaybe<Scalars['String']['input']>;
  /** Up to 10,000 characters. */
  description?: InputMaybe<Scalars['String']['input']>;
  /** Replaces the whole list. */
  images?: InputMaybe<Array<Scalars['String']['input']>>;
  /** Confirm stays without the host's approval; RENT only. */
  instantBook?: InputMaybe<Scalars['Boolean']['input']>;
  /** Switching kind needs the new kind's fields, and null for the old kind's, in the same change. */
  kind?: InputMaybe<ListingKind>;
  /** Replaces the map position. */
  location?: InputMaybe<GeoPointInput>;
  /** Most guests at once; RENT only. */
  maxGuests?: InputMaybe<Scalars['Int']['input']>;
  /** Longest stay in nights; RENT only. */
  maxNights?: InputMaybe<Scalars['Int']['input']>;
  /** Shortest stay in nights; RENT only. */
  minNights?: InputMaybe<Scalars['Int']['input']>;
  /** Sale price, decimal string; SALE only. */
  price?: InputMaybe<Scalars['String']['input']>;
  /** Nightly price, decimal string; RENT only. */
  pricePerNight?: InputMaybe<Scalars['String']['input']>;
  /** What kind of property it is. */
  propertyType?: InputMaybe<PropertyType>;
  /** SOLD applies to SALE listings only, RENTED to RENT listings only. */
  status?: InputMaybe<ListingStatus>;
  /** IANA time zone name. */
  timeZone?: InputMaybe<Scalars['String']['input']>;
  /** 3 to 160 characters. */
  title?: InputMaybe<Scalars['String']['input']>;
  /** Number of toilets, 0 or more. */
  toilets?: InputMaybe<Scalars['Int']['input']>;
  /** Postal code; null removes it. */
  zipCode?: InputMaybe<Scalars['String']['input']>;
};

/** A person with an account (owned by accounts); listings adds the listings they offer. */
export type User = {
  __typename?: 'User';
  /** The user's id in accounts. */
  id: Scalars['ID']['output'];
  /** Their listings: everyone sees the ACTIVE ones; the user themselves and admins see all, newest first. */
  listings: Array<Listing>;
};



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
  User: User;
};

/** Mapping of federation reference types */
export type FederationReferenceTypes = {
  Listing:
    ( { __typename: 'Listing' }
    & GraphQLRecursivePick<FederationTypes['Listing'], {"id":true}> );
  User:
    ( { __typename: 'User' }
    & GraphQLRecursivePick<FederationTypes['User'], {"id":true}> );
};



/** Mapping between all available schema types and the resolvers types */
export type ResolversTypes = {
  Address: ResolverTypeWrapper<Address>;
  String: ResolverTypeWrapper<Scalars['String']['output']>;
  AddressInput: AddressInput;
  CreateListingInput: CreateListingInput;
  Int: ResolverTypeWrapper<Scalars['Int']['output']>;
  Boolean: ResolverTypeWrapper<Scalars['Boolean']['output']>;
  DateTime: ResolverTypeWrapper<Scalars['DateTime']['output']>;
  GeoPoint: ResolverTypeWrapper<GeoPoint>;
  Float: ResolverTypeWrapper<Scalars['Float']['output']>;
  GeoPointInput: GeoPointInput;
  Listing: ResolverTypeWrapper<ListingRecord>;
  ID: ResolverTypeWrapper<Scalars['ID']['output']>;
  ListingConnection: ResolverTypeWrapper<Omit<ListingConnection, 'edges'> & { edges: Array<ResolversTypes['ListingEdge']> }>;
  ListingEdge: ResolverTypeWrapper<Omit<ListingEdge, 'node'> & { node: ResolversTypes['Listing'] }>;
  ListingFilter: ListingFilter;
  ListingKind: ListingKind;
  ListingStatus: ListingStatus;
  Mutation: ResolverTypeWrapper<Record<PropertyKey, never>>;
  PageInfo: ResolverTypeWrapper<PageInfo>;
  PropertyType: PropertyType;
  Query: ResolverTypeWrapper<Record<PropertyKey, never>>;
  UpdateListingInput: UpdateListingInput;
  User: ResolverTypeWrapper<UserRef>;
};

/** Mapping between all available schema types and the resolvers parents */
export type ResolversParentTypes = {
  Address: Address;
  String: Scalars['String']['output'];
  AddressInput: AddressInput;
  CreateListingInput: CreateListingInput;
  Int: Scalars['Int']['output'];
  Boolean: Scalars['Boolean']['output'];
  DateTime: Scalars['DateTime']['output'];
  GeoPoint: GeoPoint;
  Float: Scalars['Float']['output'];
  GeoPointInput: GeoPointInput;
  Listing: ListingRecord;
  ID: Scalars['ID']['output'];
  ListingConnection: Omit<ListingConnection, 'edges'> & { edges: Array<ResolversParentTypes['ListingEdge']> };
  ListingEdge: Omit<ListingEdge, 'node'> & { node: ResolversParentTypes['Listing'] };
  ListingFilter: ListingFilter;
  Mutation: Record<PropertyKey, never>;
  PageInfo: PageInfo;
  Query: Record<PropertyKey, never>;
  UpdateListingInput: UpdateListingInput;
  User: UserRef;
};

export type AddressResolvers<ContextType = Context, ParentType extends ResolversParentTypes['Address'] = ResolversParentTypes['Address']> = {
  city?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  country?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  line1?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  line2?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
  region?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
};

export interface DateTimeScalarConfig extends GraphQLScalarTypeConfig<ResolversTypes['DateTime'], any> {
  name: 'DateTime';
}

export type GeoPointResolvers<ContextType = Context, ParentType extends ResolversParentTypes['GeoPoint'] = ResolversParentTypes['GeoPoint']> = {
  latitude?: Resolver<ResolversTypes['Float'], ParentType, ContextType>;
  longitude?: Resolver<ResolversTypes['Float'], ParentType, ContextType>;
};

export type ListingResolvers<ContextType = Context, ParentType extends ResolversParentTypes['Listing'] = ResolversParentTypes['Listing'], FederationReferenceType extends FederationReferenceTypes['Listing'] = FederationReferenceTypes['Listing']> = {
  __resolveReference?: ReferenceResolver<Maybe<ResolversTypes['Listing']> | FederationReferenceType, FederationReferenceType, ContextType>;
  address?: Resolver<ResolversTypes['Address'], ParentType, ContextType>;
  bathrooms?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
  bedrooms?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
  cleaningFee?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
  createdAt?: Resolver<ResolversTypes['DateTime'], ParentType, ContextType>;
  currency?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  description?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  id?: Resolver<ResolversTypes['ID'], ParentType, ContextType>;
  images?: Resolver<Array<ResolversTypes['String']>, ParentType, ContextType>;
  instantBook?: Resolver<ResolversTypes['Boolean'], ParentType, ContextType>;
  kind?: Resolver<ResolversTypes['ListingKind'], ParentType, ContextType>;
  location?: Resolver<ResolversTypes['GeoPoint'], ParentType, ContextType>;
  maxGuests?: Resolver<Maybe<ResolversTypes['Int']>, ParentType, ContextType>;
  maxNights?: Resolver<Maybe<ResolversTypes['Int']>, ParentType, ContextType>;
  minNights?: Resolver<Maybe<ResolversTypes['Int']>, ParentType, ContextType>;
  owner?: Resolver<ResolversTypes['User'], ParentType, ContextType>;
  price?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
  pricePerNight?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
  propertyType?: Resolver<ResolversTypes['PropertyType'], ParentType, ContextType>;
  status?: Resolver<ResolversTypes['ListingStatus'], ParentType, ContextType>;
  timeZone?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  title?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  toilets?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
  updatedAt?: Resolver<ResolversTypes['DateTime'], ParentType, ContextType>;
  zipCode?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
};

export type ListingConnectionResolvers<ContextType = Context, ParentType extends ResolversParentTypes['ListingConnection'] = ResolversParentTypes['ListingConnection']> = {
  edges?: Resolver<Array<ResolversTypes['ListingEdge']>, ParentType, ContextType>;
  pageInfo?: Resolver<ResolversTypes['PageInfo'], ParentType, ContextType>;
};

export type ListingEdgeResolvers<ContextType = Context, ParentType extends ResolversParentTypes['ListingEdge'] = ResolversParentTypes['ListingEdge']> = {
  cursor?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  node?: Resolver<ResolversTypes['Listing'], ParentType, ContextType>;
};

export type MutationResolvers<ContextType = Context, ParentType extends ResolversParentTypes['Mutation'] = ResolversParentTypes['Mutation']> = {
  createListing?: Resolver<ResolversTypes['Listing'], ParentType, ContextType, RequireFields<MutationCreateListingArgs, 'input'>>;
  deleteListing?: Resolver<ResolversTypes['Boolean'], ParentType, ContextType, RequireFields<MutationDeleteListingArgs, 'id'>>;
  updateListing?: Resolver<ResolversTypes['Listing'], ParentType, ContextType, RequireFields<MutationUpdateListingArgs, 'id' | 'input'>>;
};

export type PageInfoResolvers<ContextType = Context, ParentType extends ResolversParentTypes['PageInfo'] = ResolversParentTypes['PageInfo']> = {
  endCursor?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
  hasNextPage?: Resolver<ResolversTypes['Boolean'], ParentType, ContextType>;
};

export type QueryResolvers<ContextType = Context, ParentType extends ResolversParentTypes['Query'] = ResolversParentTypes['Query']> = {
  listing?: Resolver<Maybe<ResolversTypes['Listing']>, ParentType, ContextType, RequireFields<QueryListingArgs, 'id'>>;
  listings?: Resolver<ResolversTypes['ListingConnection'], ParentType, ContextType, RequireFields<QueryListingsArgs, 'first'>>;
};

export type UserResolvers<ContextType = Context, ParentType extends ResolversParentTypes['User'] = ResolversParentTypes['User'], FederationReferenceType extends FederationReferenceTypes['User'] = FederationReferenceTypes['User']> = {
  __resolveReference?: ReferenceResolver<Maybe<ResolversTypes['User']> | FederationReferenceType, FederationReferenceType, ContextType>;
  id?: Resolver<ResolversTypes['ID'], ParentType, ContextType>;
  listings?: Resolver<Array<ResolversTypes['Listing']>, ParentType, ContextType>;
};

export type Resolvers<ContextType = Context> = {
  Address?: AddressResolvers<ContextType>;
  DateTime?: GraphQLScalarType;
  GeoPoint?: GeoPointResolvers<ContextType>;
  Listing?: ListingResolvers<ContextType>;
  ListingConnection?: ListingConnectionResolvers<ContextType>;
  ListingEdge?: ListingEdgeResolvers<ContextType>;
  Mutation?: MutationResolvers<ContextType>;
  PageInfo?: PageInfoResolvers<ContextType>;
  Query?: QueryResolvers<ContextType>;
  User?: UserResolvers<ContextType>;
};

