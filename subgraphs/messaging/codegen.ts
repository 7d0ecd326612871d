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
          User: '../domain#UserRef',
          Conversation: '../domain#ConversationRecord',
          Message: '../domain#MessageRecord',
          Notification: '../domain#NotificationRecord',
          TypingEvent: '../domain#TypingRecord',
          Listing: '../domain#ListingRef',
          ListingWatch: '../domain#WatchRecord',
        },
        scalars: { DateTime: 'Date', ID: 'string' },
      },
    },
  },
};
export default config;
