import { parseArgs } from 'node:util';
import { z } from 'zod';

/*
 * The command line of every `republish` tool (listings, users): `--since <when>`, `--dry-run`,
 * `--help`. Each tool keeps its own usage text.
 */

/** A command line the tool cannot run; the message says what is wrong. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/** A calendar date (read as midnight UTC) or an instant that names its zone: never a local time. */
const since = z.union([z.iso.date(), z.iso.datetime({ offset: true })]).transform((text) => new Date(text));

export type RepublishArgs = { help: true } | { help: false; updatedSince: Date | null; dryRun: boolean };

export function parseRepublishArgs(argv: readonly string[]): RepublishArgs {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      options: { since: { type: 'string' }, 'dry-run': { type: 'boolean' }, help: { type: 'boolean', short: 'h' } },
      strict: true,
      allowPositionals: false,
    });
  } catch (err) {
    throw new UsageError(err instanceof Error ? err.message : String(err));
  }
  const { values } = parsed;
  if (values.help) return { help: true };
  let updatedSince: Date | null = null;
  if (values.since !== undefined) {
    const result = since.safeParse(values.since);
    if (!result.success || Number.isNaN(result.data.getTime())) {
      throw new UsageError(`--since "${values.since}" is not an ISO 8601 date (2026-01-31) or instant with a zone (2026-01-31T12:00:00Z)`);
    }
    updatedSince = result.data;
  }
  return { help: false, updatedSince, dryRun: values['dry-run'] ?? false };
}
