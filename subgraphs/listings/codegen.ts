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
          ListingSearchResult: '../search/search-service#SearchResultPage',
        },
        scalars: { DateTime: 'Date', ID: 'string' },
      },
    },
  },
};
export default config;
