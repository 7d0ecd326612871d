import type { CodegenConfig } from '@graphql-codegen/cli';

const config: CodegenConfig = {
  schema: 'schema.graphql',
  generates: {
    'src/generated/graphql.ts': {
      plugins: ['typescript', 'typescript-resolvers'],
      config: {
        federation: true,
        useTypeImports: true,
        enumsAsTypes: true,
        contextType: '../context#Context',
        mappers: {
          Listing: '../domain#ListingView',
          User: '../domain#UserRef',
          Auction: '../auctions/resolvers/models#AuctionView',
          Bid: '../auctions/resolvers/models#BidView',
          BidAccepted: '../auctions/resolvers/models#BidAcceptedModel',
          BidRejected: '../auctions/resolvers/models#BidRejectedModel',
          BidPending: '../auctions/resolvers/models#BidPendingModel',
          AuctionActivity: '../auctions/resolvers/models#AuctionActivityModel',
        },
        scalars: { DateTime: 'Date', ID: 'string' },
      },
    },
  },
};
export default config;
