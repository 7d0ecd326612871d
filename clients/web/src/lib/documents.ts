import { type DocumentNode, Kind, print } from 'graphql';
import manifest from '../generated/persisted-documents.json';

/**
 * The exact text of each operation as the persisted-operation manifest holds it (sha256 → document),
 * by operation name. The app sends this text, so a gateway that enforces trusted documents finds it
 * in the manifest whatever Apollo Client's own printing would have produced.
 */
const byName = new Map<string, string>();
for (const body of Object.values(manifest as Record<string, string>)) {
  const name = /\b(?:query|mutation|subscription)\s+(\w+)/.exec(body)?.[1];
  if (name) byName.set(name, body);
}

export function operationName(document: DocumentNode): string | undefined {
  for (const d of document.definitions) if (d.kind === Kind.OPERATION_DEFINITION) return d.name?.value;
  return undefined;
}

/** The manifest's text of a document (by its operation name), or its printed form when absent. */
export function documentText(document: DocumentNode): string {
  const name = operationName(document);
  return (name && byName.get(name)) ?? print(document);
}
