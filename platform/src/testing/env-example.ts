import { readFileSync } from 'node:fs';
import { parseEnv as parseDotenv } from 'node:util';
import type { z } from 'zod';

/** The variables a service's zod schema reads: the object's keys, through any transform around it. */
function schemaKeys(schema: z.ZodType): string[] {
  let current: unknown = schema;
  // A transformed object is a pipe whose input is the object.
  while (current && typeof current === 'object' && 'in' in current && !('shape' in current)) current = (current as { in: unknown }).in;
  if (!current || typeof current !== 'object' || !('shape' in current)) throw new Error('not a zod object schema');
  return Object.keys((current as { shape: Record<string, unknown> }).shape);
}

/**
 * Checks a service's `.env.example` against its env schema: it lists every variable the service
 * reads and nothing else, and as written (plus `required`, the secrets it leaves empty) it is a
 * valid configuration, which is how the production-shape CI phase starts every process.
 */
export function checkEnvExample(schema: z.ZodType, file: string, required: Record<string, string>) {
  const example = parseDotenv(readFileSync(file, 'utf8'));
  const keys = schemaKeys(schema);
  return {
    missing: keys.filter((key) => !(key in example)).sort(),
    unknown: Object.keys(example)
      .filter((key) => !keys.includes(key))
      .sort(),
    parsed: () => schema.parse({ ...example, ...required }) as unknown,
  };
}
