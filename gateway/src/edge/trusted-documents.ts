import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { NextFunction, Request, Response } from 'express';
import type { Logger } from '@market/platform';
import { countRefusal } from './metrics';

/**
 * Trusted documents (persisted operations): with `TRUSTED_DOCUMENTS=enforce` the gateway runs only
 * the operations in a manifest built with its clients, so nobody can send it an operation of their
 * own making, however cheap it looks. Two manifest formats load:
 *
 * - graphql-codegen's client preset (`persistedDocuments: true`): `{ "<sha256 of the document>": "<document>" }`;
 * - Apollo's `{ "format": "apollo-persisted-query-manifest", "operations": [{ "id", "body", ... }] }`.
 *
 * A client sends `documentId` (codegen) or `extensions.persistedQuery.sha256Hash` (Apollo) with no
 * `query`, or the full text of a document that is in the manifest. Automatic persisted queries
 * (a client registering documents of its own) are off while enforcing: they stay for development.
 */
export class TrustedDocuments {
  private readonly byId = new Map<string, string>();
  private readonly hashes = new Set<string>();

  constructor(documents: Iterable<[id: string, body: string]>) {
    for (const [id, body] of documents) {
      this.byId.set(id, body);
      this.hashes.add(sha256(body));
    }
  }

  static fromManifest(path: string): TrustedDocuments {
    const manifest = JSON.parse(readFileSync(path, 'utf8')) as unknown;
    if (manifest && typeof manifest === 'object' && (manifest as { format?: unknown }).format === 'apollo-persisted-query-manifest') {
      const operations = (manifest as { operations?: { id: string; body: string }[] }).operations ?? [];
      return new TrustedDocuments(operations.map((o) => [o.id, o.body]));
    }
    if (!manifest || typeof manifest !== 'object' || Array.isArray(manifest))
      throw new Error(`${path} is not a persisted-operation manifest`);
    return new TrustedDocuments(
      Object.entries(manifest as Record<string, unknown>).filter((e): e is [string, string] => typeof e[1] === 'string'),
    );
  }

  get size(): number {
    return this.byId.size;
  }

  /** Every trusted document's text (their operation names label the metrics). */
  bodies(): Iterable<string> {
    return this.byId.values();
  }

  /** The document to run for a request, or null when it is not a trusted one. */
  resolve(request: { query?: unknown; documentId?: unknown; extensions?: unknown }): string | null {
    const persisted = (request.extensions as { persistedQuery?: { sha256Hash?: unknown } } | undefined)?.persistedQuery?.sha256Hash;
    const id = typeof request.documentId === 'string' ? request.documentId : typeof persisted === 'string' ? persisted : undefined;
    if (typeof request.query === 'string') {
      if (!this.hashes.has(sha256(request.query))) return null;
      return id === undefined || this.byId.get(id) === request.query ? request.query : null;
    }
    return id !== undefined ? (this.byId.get(id) ?? null) : null;
  }
}

/**
 * The documents to enforce from the environment: the manifest when TRUSTED_DOCUMENTS=enforce, except
 * in development (warned), where the playground and APQ keep working; null when nothing is enforced.
 */
export function enforcedTrustedDocuments(
  env: { NODE_ENV: string; TRUSTED_DOCUMENTS: 'off' | 'enforce'; TRUSTED_DOCUMENTS_MANIFEST?: string | undefined },
  logger: Logger,
): TrustedDocuments | null {
  if (env.TRUSTED_DOCUMENTS !== 'enforce' || !env.TRUSTED_DOCUMENTS_MANIFEST) return null;
  const documents = TrustedDocuments.fromManifest(env.TRUSTED_DOCUMENTS_MANIFEST);
  if (env.NODE_ENV === 'development') {
    logger.warn({ documents: documents.size }, 'TRUSTED_DOCUMENTS=enforce is not enforced in development (any operation runs)');
    return null;
  }
  logger.info({ documents: documents.size }, "trusted documents enforced: only the manifest's operations run");
  return documents;
}

export const UNTRUSTED_MESSAGE =
  'This API runs only the operations its clients were built with (trusted documents): send the documentId of an operation in the manifest.';

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/**
 * HTTP: replaces the request's document by the trusted one (so Apollo runs exactly that), or
 * answers 400 PERSISTED_QUERY_NOT_TRUSTED.
 */
export function enforceTrustedDocuments(documents: TrustedDocuments) {
  return (req: Request, res: Response, next: NextFunction) => {
    const source: Record<string, unknown> =
      req.method === 'GET' ? { ...(req.query as Record<string, unknown>) } : ((req.body as Record<string, unknown> | undefined) ?? {});
    if (req.method === 'GET' && typeof source['extensions'] === 'string') {
      try {
        source['extensions'] = JSON.parse(source['extensions']);
      } catch {
        source['extensions'] = undefined;
      }
    }
    const query = documents.resolve(source);
    if (query === null || (req.method === 'GET' && source['query'] !== query)) {
      countRefusal('untrusted_document');
      res.status(400).json({ errors: [{ message: UNTRUSTED_MESSAGE, extensions: { code: 'PERSISTED_QUERY_NOT_TRUSTED' } }] });
      return;
    }
    if (req.method !== 'GET') {
      const body = req.body as Record<string, unknown>;
      body['query'] = query;
      delete body['documentId'];
      const extensions = body['extensions'] as Record<string, unknown> | undefined;
      if (extensions) delete extensions['persistedQuery'];
    }
    next();
  };
}
