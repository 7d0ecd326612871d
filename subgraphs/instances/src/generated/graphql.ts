import type { GraphQLResolveInfo, GraphQLScalarType, GraphQLScalarTypeConfig } from 'graphql';
import type { MachineRecord, InstanceRecord, UserRef, QuotaExceededOutcome, CapacityExhaustedOutcome, NoPortAvailableOutcome } from '../domain';
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
  /** An instant, as an ISO-8601 string in UTC. */
  DateTime: { input: Date; output: Date; }
  _FieldSet: { input: unknown; output: unknown; }
};

/** Every slot of this machine is taken (by any users). */
export type CapacityExhausted = {
  __typename?: 'CapacityExhausted';
  /** Instances of this machine that may exist at once. */
  capacity: Scalars['Int']['output'];
  /** The machine asked for. */
  machine: Machine;
  /** What happened and what to do. */
  message: Scalars['String']['output'];
};

/** An allocated instance, or why none could be allocated. */
export type CreateInstanceResult = CapacityExhausted | Instance | NoPortAvailable | QuotaExceeded;

/** A new machine for the catalog. It needs an image, a command, or both. */
export type CreateMachineInput = {
  /** Roles allowed to start it; empty (the default) means every role. */
  allowedRoles?: InputMaybe<Array<Role>>;
  /** At least 1. */
  capacity: Scalars['Int']['input'];
  /** Argument vector (at most 64 arguments); required when there is no image. */
  command?: InputMaybe<Array<Scalars['String']['input']>>;
  /** CPU cores, more than 0 and at most 64. */
  cpuLimit?: InputMaybe<Scalars['Float']['input']>;
  /** Up to 2000 characters. */
  description?: InputMaybe<Scalars['String']['input']>;
  /** Environment for every instance (at most 100 variables). */
  environment?: InputMaybe<Array<EnvVarInput>>;
  /** 1 to 65535. */
  exposedPort?: InputMaybe<Scalars['Int']['input']>;
  /** Docker image reference; leave it out to run `command` as a local process. */
  image?: InputMaybe<Scalars['String']['input']>;
  /** At least 1. */
  maxInstancesPerUser: Scalars['Int']['input'];
  /** MiB, 1 to 1048576. */
  memoryLimitMb?: InputMaybe<Scalars['Int']['input']>;
  /** 1 to 100 characters, unique. */
  name: Scalars['String']['input'];
  /** Absolute path. */
  volumeMountPath?: InputMaybe<Scalars['String']['input']>;
};

/** One environment variable given to a machine's instances. */
export type EnvVar = {
  __typename?: 'EnvVar';
  /** Variable name: letters, digits and _, not starting with a digit. */
  name: Scalars['String']['output'];
  /** Variable value. */
  value: Scalars['String']['output'];
};

/** One environment variable for a new machine. */
export type EnvVarInput = {
  /** Letters, digits and _, not starting with a digit; unique within the machine. */
  name: Scalars['String']['input'];
  /** Up to 4096 characters. */
  value: Scalars['String']['input'];
};

/** One copy of a machine owned by one user, reachable at host:port. Seen only by its owner and admins. */
export type Instance = {
  __typename?: 'Instance';
  /** When it was requested. */
  createdAt: Scalars['DateTime']['output'];
  /** The workload's exit code, once it has exited. */
  exitCode?: Maybe<Scalars['Int']['output']>;
  /** Why it failed, when status is FAILED. */
  failureReason?: Maybe<Scalars['String']['output']>;
  /** Host it is reachable on. */
  host: Scalars['String']['output'];
  /** Instance id (uuid). */
  id: Scalars['ID']['output'];
  /** The machine it runs. */
  machine: Machine;
  /** The user who owns it. */
  owner: User;
  /** Port it is reachable on; unique among instances that are not REMOVED on the same host. */
  port: Scalars['Int']['output'];
  /** Where it is in its life. */
  status: InstanceStatus;
  /** When it last changed. */
  updatedAt: Scalars['DateTime']['output'];
};

/**
 * Where an instance is in its life. An instance holds its place in the per-user quota and the machine's
 * capacity, and keeps its port, in every status except REMOVED: a stopped or failed instance must be
 * removed to free them.
 */
export type InstanceStatus =
  /** It could not start or it crashed; see failureReason and exitCode. Holds its slot until removed. */
  | 'FAILED'
  /** Removed: its slot and port are free again. Final. */
  | 'REMOVED'
  /** Allocated (slot and port reserved); waiting for the runtime to start it. */
  | 'REQUESTED'
  /** Running and reachable at host:port. */
  | 'RUNNING'
  /** The runtime is starting it. */
  | 'STARTING'
  /** Stopped; it still holds its slot and port until removed. */
  | 'STOPPED'
  /** The runtime is stopping it. */
  | 'STOPPING';

/** A kind of instance users can start: what runs (a Docker image or a local command), with which limits, and for whom. */
export type Machine = {
  __typename?: 'Machine';
  /** Roles allowed to start this machine; empty means every role. Admins may always start it. */
  allowedRoles: Array<Role>;
  /** How many instances of this machine may exist at once, across all users (every status but REMOVED counts). */
  capacity: Scalars['Int']['output'];
  /** Argument vector for the local process driver (or the container's command): never a shell string. */
  command: Array<Scalars['String']['output']>;
  /** CPU limit in cores (fractions allowed). */
  cpuLimit?: Maybe<Scalars['Float']['output']>;
  /** When the machine was added to the catalog. */
  createdAt: Scalars['DateTime']['output'];
  /** What the machine is for. */
  description?: Maybe<Scalars['String']['output']>;
  /** Environment given to every instance. Shown to admins only (it may hold secrets); null for everyone else. */
  environment?: Maybe<Array<EnvVar>>;
  /** The port the workload listens on inside its container or process. */
  exposedPort?: Maybe<Scalars['Int']['output']>;
  /** Machine id (uuid). */
  id: Scalars['ID']['output'];
  /** Docker image reference; null when the machine runs as a local process. */
  image?: Maybe<Scalars['String']['output']>;
  /** How many instances of this machine one user may hold at once (every status but REMOVED counts). */
  maxInstancesPerUser: Scalars['Int']['output'];
  /** Memory limit in MiB. */
  memoryLimitMb?: Maybe<Scalars['Int']['output']>;
  /** Unique name shown in the catalog. */
  name: Scalars['String']['output'];
  /** Where the instance's persistent volume is mounted, if it has one. */
  volumeMountPath?: Maybe<Scalars['String']['output']>;
};

export type Mutation = {
  __typename?: 'Mutation';
  /**
   * Allocates an instance of a machine for the signed-in user: reserves a slot and the lowest free port,
   * atomically. The runtime starts it later. A role the machine does not allow is FORBIDDEN.
   */
  createInstance: CreateInstanceResult;
  /** Adds a machine to the catalog. ADMIN only; a taken name is CONFLICT. */
  createMachine: Machine;
  /** Removes an instance (owner or admin), freeing its slot and port. Removing a REMOVED instance is CONFLICT; someone else's is NOT_FOUND. */
  removeInstance: Instance;
};


export type MutationCreateInstanceArgs = {
  machineId: Scalars['ID']['input'];
};


export type MutationCreateMachineArgs = {
  input: CreateMachineInput;
};


export type MutationRemoveInstanceArgs = {
  id: Scalars['ID']['input'];
};

/** Every port of the instance host's port pool is in use. */
export type NoPortAvailable = {
  __typename?: 'NoPortAvailable';
  /** The host whose pool is exhausted. */
  host: Scalars['String']['output'];
  /** What happened and what to do. */
  message: Scalars['String']['output'];
};

export type Query = {
  __typename?: 'Query';
  /** One instance, for its owner or an admin; null for everyone else and when there is none. */
  instance?: Maybe<Instance>;
  /** One machine, or null when there is none with this id. Needs a signed-in user. */
  machine?: Maybe<Machine>;
  /** The machine catalog, by name. Needs a signed-in user. */
  machines: Array<Machine>;
  /** The signed-in user's instances, newest first; REMOVED ones only when asked. */
  myInstances: Array<Instance>;
};


export type QueryInstanceArgs = {
  id: Scalars['ID']['input'];
};


export type QueryMachineArgs = {
  id: Scalars['ID']['input'];
};


export type QueryMyInstancesArgs = {
  includeRemoved?: InputMaybe<Scalars['Boolean']['input']>;
};

/** The caller already holds as many instances of this machine as it allows one user. */
export type QuotaExceeded = {
  __typename?: 'QuotaExceeded';
  /** Instances of this machine one user may hold at once. */
  limit: Scalars['Int']['output'];
  /** The machine asked for. */
  machine: Machine;
  /** What happened and what to do. */
  message: Scalars['String']['output'];
};

/** What a user does on the platform; admin is granted by an admin only. */
export type Role =
  | 'ADMIN'
  | 'AGENT'
  | 'BUYER'
  | 'HOST'
  | 'SELLER';

/** A person with an account (owned by accounts); this subgraph adds their instances. */
export type User = {
  __typename?: 'User';
  /** User id (uuid). */
  id: Scalars['ID']['output'];
  /** The user's instances, newest first; REMOVED ones only when asked. Only the user themselves and admins may read this (FORBIDDEN otherwise). */
  instances?: Maybe<Array<Instance>>;
};


/** A person with an account (owned by accounts); this subgraph adds their instances. */
export type UserInstancesArgs = {
  includeRemoved?: InputMaybe<Scalars['Boolean']['input']>;
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
  Instance: Instance;
  Machine: Machine;
  User: User;
};

/** Mapping of federation reference types */
export type FederationReferenceTypes = {
  Instance:
    ( { __typename: 'Instance' }
    & GraphQLRecursivePick<FederationTypes['Instance'], {"id":true}> );
  Machine:
    ( { __typename: 'Machine' }
    & GraphQLRecursivePick<FederationTypes['Machine'], {"id":true}> );
  User:
    ( { __typename: 'User' }
    & GraphQLRecursivePick<FederationTypes['User'], {"id":true}> );
};

/** Mapping of union types */
export type ResolversUnionTypes<_RefType extends Record<string, unknown>> = {
  CreateInstanceResult:
    | ( CapacityExhaustedOutcome )
    | ( InstanceRecord )
    | ( NoPortAvailableOutcome )
    | ( QuotaExceededOutcome )
  ;
};


/** Mapping between all available schema types and the resolvers types */
export type ResolversTypes = {
  CapacityExhausted: ResolverTypeWrapper<CapacityExhaustedOutcome>;
  Int: ResolverTypeWrapper<Scalars['Int']['output']>;
  String: ResolverTypeWrapper<Scalars['String']['output']>;
  CreateInstanceResult: ResolverTypeWrapper<ResolversUnionTypes<ResolversTypes>['CreateInstanceResult']>;
  CreateMachineInput: CreateMachineInput;
  Float: ResolverTypeWrapper<Scalars['Float']['output']>;
  DateTime: ResolverTypeWrapper<Scalars['DateTime']['output']>;
  EnvVar: ResolverTypeWrapper<EnvVar>;
  EnvVarInput: EnvVarInput;
  Instance: ResolverTypeWrapper<InstanceRecord>;
  ID: ResolverTypeWrapper<Scalars['ID']['output']>;
  InstanceStatus: InstanceStatus;
  Machine: ResolverTypeWrapper<MachineRecord>;
  Mutation: ResolverTypeWrapper<Record<PropertyKey, never>>;
  NoPortAvailable: ResolverTypeWrapper<NoPortAvailableOutcome>;
  Query: ResolverTypeWrapper<Record<PropertyKey, never>>;
  Boolean: ResolverTypeWrapper<Scalars['Boolean']['output']>;
  QuotaExceeded: ResolverTypeWrapper<QuotaExceededOutcome>;
  Role: Role;
  User: ResolverTypeWrapper<UserRef>;
};

/** Mapping between all available schema types and the resolvers parents */
export type ResolversParentTypes = {
  CapacityExhausted: CapacityExhaustedOutcome;
  Int: Scalars['Int']['output'];
  String: Scalars['String']['output'];
  CreateInstanceResult: ResolversUnionTypes<ResolversParentTypes>['CreateInstanceResult'];
  CreateMachineInput: CreateMachineInput;
  Float: Scalars['Float']['output'];
  DateTime: Scalars['DateTime']['output'];
  EnvVar: EnvVar;
  EnvVarInput: EnvVarInput;
  Instance: InstanceRecord;
  ID: Scalars['ID']['output'];
  Machine: MachineRecord;
  Mutation: Record<PropertyKey, never>;
  NoPortAvailable: NoPortAvailableOutcome;
  Query: Record<PropertyKey, never>;
  Boolean: Scalars['Boolean']['output'];
  QuotaExceeded: QuotaExceededOutcome;
  User: UserRef;
};

export type CapacityExhaustedResolvers<ContextType = Context, ParentType extends ResolversParentTypes['CapacityExhausted'] = ResolversParentTypes['CapacityExhausted']> = {
  capacity?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
  machine?: Resolver<ResolversTypes['Machine'], ParentType, ContextType>;
  message?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  __isTypeOf?: IsTypeOfResolverFn<ParentType, ContextType>;
};

export type CreateInstanceResultResolvers<ContextType = Context, ParentType extends ResolversParentTypes['CreateInstanceResult'] = ResolversParentTypes['CreateInstanceResult']> = {
  __resolveType: TypeResolveFn<'CapacityExhausted' | 'Instance' | 'NoPortAvailable' | 'QuotaExceeded', ParentType, ContextType>;
};

export interface DateTimeScalarConfig extends GraphQLScalarTypeConfig<ResolversTypes['DateTime'], any> {
  name: 'DateTime';
}

export type EnvVarResolvers<ContextType = Context, ParentType extends ResolversParentTypes['EnvVar'] = ResolversParentTypes['EnvVar']> = {
  name?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  value?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
};

export type InstanceResolvers<ContextType = Context, ParentType extends ResolversParentTypes['Instance'] = ResolversParentTypes['Instance'], FederationReferenceType extends FederationReferenceTypes['Instance'] = FederationReferenceTypes['Instance']> = {
  __resolveReference?: ReferenceResolver<Maybe<ResolversTypes['Instance']> | FederationReferenceType, FederationReferenceType, ContextType>;
  createdAt?: Resolver<ResolversTypes['DateTime'], ParentType, ContextType>;
  exitCode?: Resolver<Maybe<ResolversTypes['Int']>, ParentType, ContextType>;
  failureReason?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
  host?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  id?: Resolver<ResolversTypes['ID'], ParentType, ContextType>;
  machine?: Resolver<ResolversTypes['Machine'], ParentType, ContextType>;
  owner?: Resolver<ResolversTypes['User'], ParentType, ContextType>;
  port?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
  status?: Resolver<ResolversTypes['InstanceStatus'], ParentType, ContextType>;
  updatedAt?: Resolver<ResolversTypes['DateTime'], ParentType, ContextType>;
  __isTypeOf?: IsTypeOfResolverFn<ParentType, ContextType>;
};

export type MachineResolvers<ContextType = Context, ParentType extends ResolversParentTypes['Machine'] = ResolversParentTypes['Machine'], FederationReferenceType extends FederationReferenceTypes['Machine'] = FederationReferenceTypes['Machine']> = {
  __resolveReference?: ReferenceResolver<Maybe<ResolversTypes['Machine']> | FederationReferenceType, FederationReferenceType, ContextType>;
  allowedRoles?: Resolver<Array<ResolversTypes['Role']>, ParentType, ContextType>;
  capacity?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
  command?: Resolver<Array<ResolversTypes['String']>, ParentType, ContextType>;
  cpuLimit?: Resolver<Maybe<ResolversTypes['Float']>, ParentType, ContextType>;
  createdAt?: Resolver<ResolversTypes['DateTime'], ParentType, ContextType>;
  description?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
  environment?: Resolver<Maybe<Array<ResolversTypes['EnvVar']>>, ParentType, ContextType>;
  exposedPort?: Resolver<Maybe<ResolversTypes['Int']>, ParentType, ContextType>;
  id?: Resolver<ResolversTypes['ID'], ParentType, ContextType>;
  image?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
  maxInstancesPerUser?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
  memoryLimitMb?: Resolver<Maybe<ResolversTypes['Int']>, ParentType, ContextType>;
  name?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  volumeMountPath?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
};

export type MutationResolvers<ContextType = Context, ParentType extends ResolversParentTypes['Mutation'] = ResolversParentTypes['Mutation']> = {
  createInstance?: Resolver<ResolversTypes['CreateInstanceResult'], ParentType, ContextType, RequireFields<MutationCreateInstanceArgs, 'machineId'>>;
  createMachine?: Resolver<ResolversTypes['Machine'], ParentType, ContextType, RequireFields<MutationCreateMachineArgs, 'input'>>;
  removeInstance?: Resolver<ResolversTypes['Instance'], ParentType, ContextType, RequireFields<MutationRemoveInstanceArgs, 'id'>>;
};

export type NoPortAvailableResolvers<ContextType = Context, ParentType extends ResolversParentTypes['NoPortAvailable'] = ResolversParentTypes['NoPortAvailable']> = {
  host?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  message?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  __isTypeOf?: IsTypeOfResolverFn<ParentType, ContextType>;
};

export type QueryResolvers<ContextType = Context, ParentType extends ResolversParentTypes['Query'] = ResolversParentTypes['Query']> = {
  instance?: Resolver<Maybe<ResolversTypes['Instance']>, ParentType, ContextType, RequireFields<QueryInstanceArgs, 'id'>>;
  machine?: Resolver<Maybe<ResolversTypes['Machine']>, ParentType, ContextType, RequireFields<QueryMachineArgs, 'id'>>;
  machines?: Resolver<Array<ResolversTypes['Machine']>, ParentType, ContextType>;
  myInstances?: Resolver<Array<ResolversTypes['Instance']>, ParentType, ContextType, RequireFields<QueryMyInstancesArgs, 'includeRemoved'>>;
};

export type QuotaExceededResolvers<ContextType = Context, ParentType extends ResolversParentTypes['QuotaExceeded'] = ResolversParentTypes['QuotaExceeded']> = {
  limit?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
  machine?: Resolver<ResolversTypes['Machine'], ParentType, ContextType>;
  message?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  __isTypeOf?: IsTypeOfResolverFn<ParentType, ContextType>;
};

export type UserResolvers<ContextType = Context, ParentType extends ResolversParentTypes['User'] = ResolversParentTypes['User'], FederationReferenceType extends FederationReferenceTypes['User'] = FederationReferenceTypes['User']> = {
  __resolveReference?: ReferenceResolver<Maybe<ResolversTypes['User']> | FederationReferenceType, FederationReferenceType, ContextType>;
  id?: Resolver<ResolversTypes['ID'], ParentType, ContextType>;
  instances?: Resolver<Maybe<Array<ResolversTypes['Instance']>>, ParentType, ContextType, RequireFields<UserInstancesArgs, 'includeRemoved'>>;
};

export type Resolvers<ContextType = Context> = {
  CapacityExhausted?: CapacityExhaustedResolvers<ContextType>;
  CreateInstanceResult?: CreateInstanceResultResolvers<ContextType>;
  DateTime?: GraphQLScalarType;
  EnvVar?: EnvVarResolvers<ContextType>;
  Instance?: InstanceResolvers<ContextType>;
  Machine?: MachineResolvers<ContextType>;
  Mutation?: MutationResolvers<ContextType>;
  NoPortAvailable?: NoPortAvailableResolvers<ContextType>;
  Query?: QueryResolvers<ContextType>;
  QuotaExceeded?: QuotaExceededResolvers<ContextType>;
  User?: UserResolvers<ContextType>;
};

