import { readFileSync } from 'node:fs';
import path from 'node:path';
import { REPO_ROOT } from './layout';

/**
 * The outbox and inbox models are written once, in outbox-models.prisma; every domain schema holds
 * a copy because a Prisma schema cannot import another folder's models. These helpers find a
 * copy that drifted (compared as text, whitespace normalised, doc comments included).
 */
export const OUTBOX_MODEL_NAMES = ['OutboxEvent', 'InboxEvent'] as const;

/** Resolved from the repository root, so it is found from platform/src and platform/dist alike. */
export const OUTBOX_MODELS_PATH = path.join(REPO_ROOT, 'platform', 'src', 'db', 'outbox-models.prisma');

/** A model's block with the `///` doc comment above it, whitespace normalised; undefined when absent. */
export function modelBlock(schema: string, name: string): string | undefined {
  const lines = schema.split(/\r?\n/);
  const start = lines.findIndex((line) => new RegExp(`^\\s*model\\s+${name}\\s*\\{`).test(line));
  if (start < 0) return undefined;
  let first = start;
  while (first > 0 && /^\s*\/\/\//.test(lines[first - 1] ?? '')) first--;
  let end = start;
  while (end < lines.length && !/^\s*}\s*$/.test(lines[end] ?? '')) end++;
  return lines
    .slice(first, end + 1)
    .map((line) => line.trim().replace(/\s+/g, ' '))
    .filter((line) => line !== '')
    .join('\n');
}

/** Names of the outbox/inbox models that are missing from `schema` or differ from the canonical text. */
export function outboxModelDrift(schema: string, canonical: string = readFileSync(OUTBOX_MODELS_PATH, 'utf8')): string[] {
  return OUTBOX_MODEL_NAMES.filter((name) => {
    const expected = modelBlock(canonical, name);
    if (expected === undefined) throw new Error(`${name} is missing from the canonical outbox models`);
    return modelBlock(schema, name) !== expected;
  });
}
