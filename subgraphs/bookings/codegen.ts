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
          Stay: '../domain#StayRecord',
          ViewingAppointment: '../domain#ViewingRecord',
          Listing: '../domain#ListingRef',
          User: '../domain#UserRef',
          CalendarBlock: '../domain#CalendarBlockRecord',
          ViewingSlot: '../domain#ViewingSlotRecord',
          CancellationQuote: '../domain#CancellationQuoteRecord',
        },
        scalars: { DateTime: 'Date', Date: 'string', ID: 'string' },
      },
    },
  },
};
export default config;
