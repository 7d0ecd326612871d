import { createHash } from 'node:crypto';
import { addTypenameSelectionDocumentTransform, type ClientPresetConfig } from '@graphql-codegen/client-preset';
import type { CodegenConfig } from '@graphql-codegen/cli';

/**
 * Typed operations from the client schema (schema/api.graphql, what clients see of the supergraph),
 * and the persisted-operation manifest (src/generated/persisted-documents.json, sha256 → document)
 * that the gateway enforces with TRUSTED_DOCUMENTS=enforce. __typename is added here, as Apollo
 * Client's cache would add it, so the text the app sends is exactly the manifest's.
 */
const presetConfig: ClientPresetConfig = {
  fragmentMasking: false,
  persistedDocuments: { hashAlgorithm: (document: string) => createHash('sha256').update(document).digest('hex') },
};

const config: CodegenConfig = {
  schema: '../../schema/api.graphql',
  documents: ['src/**/*.{ts,tsx}', '!src/generated/**'],
  ignoreNoDocuments: true,
  generates: {
    'src/generated/': {
      preset: 'client',
      presetConfig,
      documentTransforms: [addTypenameSelectionDocumentTransform],
      config: { enumsAsTypes: true, useTypeImports: true, scalars: { DateTime: 'string', Date: 'string', ID: 'string' } },
    },
  },
};
export default config;
