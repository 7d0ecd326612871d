import type { SaveSearchResultResolvers } from '../generated/graphql';

export const SaveSearchResult: SaveSearchResultResolvers = {
  __resolveType: (result) => result.__typename,
};
