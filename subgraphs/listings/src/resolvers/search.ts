import type { ListingSearchResultResolvers } from '../generated/graphql';

/** Facets cost a scan of every match, so they are counted only when a client selects them. */
export const ListingSearchResult: ListingSearchResultResolvers = {
  facets: async (result, _args, ctx) => {
    const facets = await ctx.search.facets(result.query);
    return {
      propertyTypes: facets.propertyTypes.map(({ value, count }) => ({ propertyType: value as never, count })),
      kinds: facets.kinds.map(({ value, count }) => ({ kind: value as never, count })),
      bedrooms: facets.bedrooms.map(({ value, count }) => ({ bedrooms: Number(value), count })),
      amenities: facets.amenities.map(({ value, count }) => ({ amenity: value as never, count })),
      prices: facets.prices,
    };
  },
};
