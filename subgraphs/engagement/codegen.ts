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
          Post: '../domain#PostRecord',
          Comment: '../domain#CommentRecord',
          Reaction: '../domain#ReactionRecord',
          User: '../domain#UserRef',
          Listing: '../domain#ListingRef',
          ModerationCase: '../domain#ModerationCaseRecord',
          ModerationReport: '../domain#ModerationReportRecord',
        },
        scalars: { DateTime: 'Date', ID: 'string' },
      },
    },
  },
};
export default config;
