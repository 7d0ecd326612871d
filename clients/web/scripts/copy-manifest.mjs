// The production build ships the persisted-operation manifest beside the static files, for the gateway's TRUSTED_DOCUMENTS_MANIFEST.
import { copyFileSync } from 'node:fs';
copyFileSync(
  new URL('../src/generated/persisted-documents.json', import.meta.url),
  new URL('../dist/persisted-documents.json', import.meta.url),
);
console.log('dist/persisted-documents.json written');
