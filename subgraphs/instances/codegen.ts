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
          Machine: '../domain#MachineRecord',
          Instance: '../domain#InstanceRecord',
          InstanceLogLine: '../domain#InstanceLogLineRecord',
          InstanceLogLineConnection: '../domain#InstanceLogLinePage',
          User: '../domain#UserRef',
          QuotaExceeded: '../domain#QuotaExceededOutcome',
          CapacityExhausted: '../domain#CapacityExhaustedOutcome',
          NoPortAvailable: '../domain#NoPortAvailableOutcome',
        },
        scalars: { DateTime: 'Date', ID: 'string' },
      },
    },
  },
};
export default config;
