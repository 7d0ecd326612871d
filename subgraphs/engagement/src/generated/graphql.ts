import type { GraphQLResolveInfo, GraphQLScalarType, GraphQLScalarTypeConfig } from 'graphql';
import type { PostRecord, CommentRecord, ReactionRecord, UserRef, ListingRef } from '../domain';
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

/** A reply to a post. */
export type Comment = {
  __typename?: 'Comment';
  /** Who wrote it. */
  author: User;
  /** The text, 1 to 2000 characters. */
  body: Scalars['String']['output'];
  createdAt: Scalars['DateTime']['output'];
  /** An opaque position: pass it as `Post.comments(after:)` to get the comments that follow this one. */
  cursor: Scalars['String']['output'];
  id: Scalars['ID']['output'];
  /** The post it replies to. */
  post: Post;
};

/** What a new post says. */
export type CreatePostInput = {
  /** 1 to 5000 characters; surrounding whitespace is trimmed. */
  body: Scalars['String']['input'];
  /** The listing the post is about, if any. */
  listingId?: InputMaybe<Scalars['ID']['input']>;
};

/** A property on offer (owned by the listings subgraph); engagement adds the posts about it. */
export type Listing = {
  __typename?: 'Listing';
  id: Scalars['ID']['output'];
  /** Published posts about this listing, newest first (plus the caller's own hidden ones; admins see all). */
  posts: Array<Post>;
};

export type Mutation = {
  __typename?: 'Mutation';
  /** Comments on a published post as the signed-in user. */
  addComment: Comment;
  /** Publishes a post by the signed-in user. */
  createPost: Post;
  /** Deletes a comment. Its author, the post's author or an admin may. True when deleted. */
  deleteComment: Scalars['Boolean']['output'];
  /** Deletes a post with its comments and reactions. Its author or an admin may. True when deleted. */
  deletePost: Scalars['Boolean']['output'];
  /** Reacts to a published post as the signed-in user; reacting again replaces the kind. */
  react: Reaction;
  /** Removes the signed-in user's reaction to a post. True when there was one. */
  unreact: Scalars['Boolean']['output'];
  /** Changes a post's body. Only its author may. */
  updatePost: Post;
};


export type MutationAddCommentArgs = {
  body: Scalars['String']['input'];
  postId: Scalars['ID']['input'];
};


export type MutationCreatePostArgs = {
  input: CreatePostInput;
};


export type MutationDeleteCommentArgs = {
  id: Scalars['ID']['input'];
};


export type MutationDeletePostArgs = {
  id: Scalars['ID']['input'];
};


export type MutationReactArgs = {
  kind: ReactionKind;
  postId: Scalars['ID']['input'];
};


export type MutationUnreactArgs = {
  postId: Scalars['ID']['input'];
};


export type MutationUpdatePostArgs = {
  body: Scalars['String']['input'];
  id: Scalars['ID']['input'];
};

/** Where a page ends and whether more follow. */
export type PageInfo = {
  __typename?: 'PageInfo';
  /** The cursor of the last edge on this page; null when the page is empty. */
  endCursor?: Maybe<Scalars['String']['output']>;
  /** True when a next page exists: ask again with `after: endCursor`. */
  hasNextPage: Scalars['Boolean']['output'];
};

/** Something a user wrote for others to read, optionally about a listing. */
export type Post = {
  __typename?: 'Post';
  /** Who wrote it. */
  author: User;
  /** The text, 1 to 5000 characters. */
  body: Scalars['String']['output'];
  /** How many comments the post has. */
  commentCount: Scalars['Int']['output'];
  /**
   * Comments, oldest first. `first` is 1 to 100; `after` is the `cursor` of the last comment already
   * shown, and returns the ones that follow it.
   */
  comments: Array<Comment>;
  createdAt: Scalars['DateTime']['output'];
  id: Scalars['ID']['output'];
  /** The listing this post is about, if any. */
  listing?: Maybe<Listing>;
  /** How many reactions of each kind there are, most frequent first; kinds nobody chose are left out. */
  reactionCounts: Array<ReactionCount>;
  /** Every reaction, oldest first. */
  reactions: Array<Reaction>;
  /** Who may see it; see PostStatus. */
  status: PostStatus;
  /** When the body last changed (equal to createdAt until then). */
  updatedAt: Scalars['DateTime']['output'];
  /** The signed-in caller's own reaction, or null (always null when signed out). */
  viewerReaction?: Maybe<ReactionKind>;
};


/** Something a user wrote for others to read, optionally about a listing. */
export type PostCommentsArgs = {
  after?: InputMaybe<Scalars['String']['input']>;
  first?: InputMaybe<Scalars['Int']['input']>;
};

/** A page of posts. */
export type PostConnection = {
  __typename?: 'PostConnection';
  edges: Array<PostEdge>;
  pageInfo: PageInfo;
};

/** A post and its position in the list. */
export type PostEdge = {
  __typename?: 'PostEdge';
  /** Opaque: pass it as `after` to get the posts that follow this one. */
  cursor: Scalars['String']['output'];
  node: Post;
};

/** Who may see a post. Only PUBLISHED posts are public; the others are seen by their author and admins only. */
export type PostStatus =
  /** Taken out of view; the author and admins still see it. */
  | 'HIDDEN'
  /** Visible to everyone. */
  | 'PUBLISHED'
  /** Removed by moderation; the author and admins still see it. */
  | 'REMOVED';

export type Query = {
  __typename?: 'Query';
  /** Published posts, newest first. `first` is 1 to 100; `after` is an `endCursor` from a previous page. */
  feed: PostConnection;
  /** A post, or null when it does not exist or the caller may not see it. */
  post?: Maybe<Post>;
};


export type QueryFeedArgs = {
  after?: InputMaybe<Scalars['String']['input']>;
  first?: InputMaybe<Scalars['Int']['input']>;
};


export type QueryPostArgs = {
  id: Scalars['ID']['input'];
};

/** One user's reaction to one post; reacting again changes its kind. */
export type Reaction = {
  __typename?: 'Reaction';
  /** When the user first reacted to the post. */
  createdAt: Scalars['DateTime']['output'];
  id: Scalars['ID']['output'];
  kind: ReactionKind;
  /** Who reacted. */
  user: User;
};

/** How many reactions of one kind a post has. */
export type ReactionCount = {
  __typename?: 'ReactionCount';
  /** Always at least 1. */
  count: Scalars['Int']['output'];
  kind: ReactionKind;
};

/** How a user reacted to a post. */
export type ReactionKind =
  | 'ANGRY'
  | 'LAUGH'
  | 'LIKE'
  | 'LOVE'
  | 'SAD'
  | 'WOW';

/** A person with an account (owned by the accounts subgraph); engagement adds their posts. */
export type User = {
  __typename?: 'User';
  id: Scalars['ID']['output'];
  /** Their published posts, newest first. The user themselves and admins also see hidden and removed ones. */
  posts: Array<Post>;
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
  Comment: Comment;
  Listing: Listing;
  Post: Post;
  Reaction: Reaction;
  User: User;
};

/** Mapping of federation reference types */
export type FederationReferenceTypes = {
  Comment:
    ( { __typename: 'Comment' }
    & GraphQLRecursivePick<FederationTypes['Comment'], {"id":true}> );
  Listing:
    ( { __typename: 'Listing' }
    & GraphQLRecursivePick<FederationTypes['Listing'], {"id":true}> );
  Post:
    ( { __typename: 'Post' }
    & GraphQLRecursivePick<FederationTypes['Post'], {"id":true}> );
  Reaction:
    ( { __typename: 'Reaction' }
    & GraphQLRecursivePick<FederationTypes['Reaction'], {"id":true}> );
  User:
    ( { __typename: 'User' }
    & GraphQLRecursivePick<FederationTypes['User'], {"id":true}> );
};



/** Mapping between all available schema types and the resolvers types */
export type ResolversTypes = {
  Comment: ResolverTypeWrapper<CommentRecord>;
  String: ResolverTypeWrapper<Scalars['String']['output']>;
  ID: ResolverTypeWrapper<Scalars['ID']['output']>;
  CreatePostInput: CreatePostInput;
  DateTime: ResolverTypeWrapper<Scalars['DateTime']['output']>;
  Listing: ResolverTypeWrapper<ListingRef>;
  Mutation: ResolverTypeWrapper<Record<PropertyKey, never>>;
  Boolean: ResolverTypeWrapper<Scalars['Boolean']['output']>;
  PageInfo: ResolverTypeWrapper<PageInfo>;
  Post: ResolverTypeWrapper<PostRecord>;
  Int: ResolverTypeWrapper<Scalars['Int']['output']>;
  PostConnection: ResolverTypeWrapper<Omit<PostConnection, 'edges'> & { edges: Array<ResolversTypes['PostEdge']> }>;
  PostEdge: ResolverTypeWrapper<Omit<PostEdge, 'node'> & { node: ResolversTypes['Post'] }>;
  PostStatus: PostStatus;
  Query: ResolverTypeWrapper<Record<PropertyKey, never>>;
  Reaction: ResolverTypeWrapper<ReactionRecord>;
  ReactionCount: ResolverTypeWrapper<ReactionCount>;
  ReactionKind: ReactionKind;
  User: ResolverTypeWrapper<UserRef>;
};

/** Mapping between all available schema types and the resolvers parents */
export type ResolversParentTypes = {
  Comment: CommentRecord;
  String: Scalars['String']['output'];
  ID: Scalars['ID']['output'];
  CreatePostInput: CreatePostInput;
  DateTime: Scalars['DateTime']['output'];
  Listing: ListingRef;
  Mutation: Record<PropertyKey, never>;
  Boolean: Scalars['Boolean']['output'];
  PageInfo: PageInfo;
  Post: PostRecord;
  Int: Scalars['Int']['output'];
  PostConnection: Omit<PostConnection, 'edges'> & { edges: Array<ResolversParentTypes['PostEdge']> };
  PostEdge: Omit<PostEdge, 'node'> & { node: ResolversParentTypes['Post'] };
  Query: Record<PropertyKey, never>;
  Reaction: ReactionRecord;
  ReactionCount: ReactionCount;
  User: UserRef;
};

export type CommentResolvers<ContextType = Context, ParentType extends ResolversParentTypes['Comment'] = ResolversParentTypes['Comment'], FederationReferenceType extends FederationReferenceTypes['Comment'] = FederationReferenceTypes['Comment']> = {
  __resolveReference?: ReferenceResolver<Maybe<ResolversTypes['Comment']> | FederationReferenceType, FederationReferenceType, ContextType>;
  author?: Resolver<ResolversTypes['User'], ParentType, ContextType>;
  body?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  createdAt?: Resolver<ResolversTypes['DateTime'], ParentType, ContextType>;
  cursor?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  id?: Resolver<ResolversTypes['ID'], ParentType, ContextType>;
  post?: Resolver<ResolversTypes['Post'], ParentType, ContextType>;
};

export interface DateTimeScalarConfig extends GraphQLScalarTypeConfig<ResolversTypes['DateTime'], any> {
  name: 'DateTime';
}

export type ListingResolvers<ContextType = Context, ParentType extends ResolversParentTypes['Listing'] = ResolversParentTypes['Listing'], FederationReferenceType extends FederationReferenceTypes['Listing'] = FederationReferenceTypes['Listing']> = {
  __resolveReference?: ReferenceResolver<Maybe<ResolversTypes['Listing']> | FederationReferenceType, FederationReferenceType, ContextType>;
  id?: Resolver<ResolversTypes['ID'], ParentType, ContextType>;
  posts?: Resolver<Array<ResolversTypes['Post']>, ParentType, ContextType>;
};

export type MutationResolvers<ContextType = Context, ParentType extends ResolversParentTypes['Mutation'] = ResolversParentTypes['Mutation']> = {
  addComment?: Resolver<ResolversTypes['Comment'], ParentType, ContextType, RequireFields<MutationAddCommentArgs, 'body' | 'postId'>>;
  createPost?: Resolver<ResolversTypes['Post'], ParentType, ContextType, RequireFields<MutationCreatePostArgs, 'input'>>;
  deleteComment?: Resolver<ResolversTypes['Boolean'], ParentType, ContextType, RequireFields<MutationDeleteCommentArgs, 'id'>>;
  deletePost?: Resolver<ResolversTypes['Boolean'], ParentType, ContextType, RequireFields<MutationDeletePostArgs, 'id'>>;
  react?: Resolver<ResolversTypes['Reaction'], ParentType, ContextType, RequireFields<MutationReactArgs, 'kind' | 'postId'>>;
  unreact?: Resolver<ResolversTypes['Boolean'], ParentType, ContextType, RequireFields<MutationUnreactArgs, 'postId'>>;
  updatePost?: Resolver<ResolversTypes['Post'], ParentType, ContextType, RequireFields<MutationUpdatePostArgs, 'body' | 'id'>>;
};

export type PageInfoResolvers<ContextType = Context, ParentType extends ResolversParentTypes['PageInfo'] = ResolversParentTypes['PageInfo']> = {
  endCursor?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
  hasNextPage?: Resolver<ResolversTypes['Boolean'], ParentType, ContextType>;
};

export type PostResolvers<ContextType = Context, ParentType extends ResolversParentTypes['Post'] = ResolversParentTypes['Post'], FederationReferenceType extends FederationReferenceTypes['Post'] = FederationReferenceTypes['Post']> = {
  __resolveReference?: ReferenceResolver<Maybe<ResolversTypes['Post']> | FederationReferenceType, FederationReferenceType, ContextType>;
  author?: Resolver<ResolversTypes['User'], ParentType, ContextType>;
  body?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  commentCount?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
  comments?: Resolver<Array<ResolversTypes['Comment']>, ParentType, ContextType, RequireFields<PostCommentsArgs, 'first'>>;
  createdAt?: Resolver<ResolversTypes['DateTime'], ParentType, ContextType>;
  id?: Resolver<ResolversTypes['ID'], ParentType, ContextType>;
  listing?: Resolver<Maybe<ResolversTypes['Listing']>, ParentType, ContextType>;
  reactionCounts?: Resolver<Array<ResolversTypes['ReactionCount']>, ParentType, ContextType>;
  reactions?: Resolver<Array<ResolversTypes['Reaction']>, ParentType, ContextType>;
  status?: Resolver<ResolversTypes['PostStatus'], ParentType, ContextType>;
  updatedAt?: Resolver<ResolversTypes['DateTime'], ParentType, ContextType>;
  viewerReaction?: Resolver<Maybe<ResolversTypes['ReactionKind']>, ParentType, ContextType>;
};

export type PostConnectionResolvers<ContextType = Context, ParentType extends ResolversParentTypes['PostConnection'] = ResolversParentTypes['PostConnection']> = {
  edges?: Resolver<Array<ResolversTypes['PostEdge']>, ParentType, ContextType>;
  pageInfo?: Resolver<ResolversTypes['PageInfo'], ParentType, ContextType>;
};

export type PostEdgeResolvers<ContextType = Context, ParentType extends ResolversParentTypes['PostEdge'] = ResolversParentTypes['PostEdge']> = {
  cursor?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  node?: Resolver<ResolversTypes['Post'], ParentType, ContextType>;
};

export type QueryResolvers<ContextType = Context, ParentType extends ResolversParentTypes['Query'] = ResolversParentTypes['Query']> = {
  feed?: Resolver<ResolversTypes['PostConnection'], ParentType, ContextType, RequireFields<QueryFeedArgs, 'first'>>;
  post?: Resolver<Maybe<ResolversTypes['Post']>, ParentType, ContextType, RequireFields<QueryPostArgs, 'id'>>;
};

export type ReactionResolvers<ContextType = Context, ParentType extends ResolversParentTypes['Reaction'] = ResolversParentTypes['Reaction'], FederationReferenceType extends FederationReferenceTypes['Reaction'] = FederationReferenceTypes['Reaction']> = {
  __resolveReference?: ReferenceResolver<Maybe<ResolversTypes['Reaction']> | FederationReferenceType, FederationReferenceType, ContextType>;
  createdAt?: Resolver<ResolversTypes['DateTime'], ParentType, ContextType>;
  id?: Resolver<ResolversTypes['ID'], ParentType, ContextType>;
  kind?: Resolver<ResolversTypes['ReactionKind'], ParentType, ContextType>;
  user?: Resolver<ResolversTypes['User'], ParentType, ContextType>;
};

export type ReactionCountResolvers<ContextType = Context, ParentType extends ResolversParentTypes['ReactionCount'] = ResolversParentTypes['ReactionCount']> = {
  count?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
  kind?: Resolver<ResolversTypes['ReactionKind'], ParentType, ContextType>;
};

export type UserResolvers<ContextType = Context, ParentType extends ResolversParentTypes['User'] = ResolversParentTypes['User'], FederationReferenceType extends FederationReferenceTypes['User'] = FederationReferenceTypes['User']> = {
  __resolveReference?: ReferenceResolver<Maybe<ResolversTypes['User']> | FederationReferenceType, FederationReferenceType, ContextType>;
  id?: Resolver<ResolversTypes['ID'], ParentType, ContextType>;
  posts?: Resolver<Array<ResolversTypes['Post']>, ParentType, ContextType>;
};

export type Resolvers<ContextType = Context> = {
  Comment?: CommentResolvers<ContextType>;
  DateTime?: GraphQLScalarType;
  Listing?: ListingResolvers<ContextType>;
  Mutation?: MutationResolvers<ContextType>;
  PageInfo?: PageInfoResolvers<ContextType>;
  Post?: PostResolvers<ContextType>;
  PostConnection?: PostConnectionResolvers<ContextType>;
  PostEdge?: PostEdgeResolvers<ContextType>;
  Query?: QueryResolvers<ContextType>;
  Reaction?: ReactionResolvers<ContextType>;
  ReactionCount?: ReactionCountResolvers<ContextType>;
  User?: UserResolvers<ContextType>;
};

