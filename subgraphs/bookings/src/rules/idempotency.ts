import { createHash } from 'node:crypto';
import { z } from 'zod';
import { parseInput } from '@market/platform';

/** What the repository needs to claim a caller's idempotency key in the same transaction as the change. */
export interface IdempotencyClaim {
  callerId: string;
  key: string;
  /** sha256 of the operation and its input: a retry must match it. */
  requestHash: string;
  /**
   * A key claimed at or before this instant has passed its retention: it answers nothing any more,
   * and this request may claim it afresh (whether or not the scheduler has purged it yet).
   */
  expiredBefore: Date;
}

const HOUR_MS = 3_600_000;

const keySchema = z.string().trim().min(1, 'idempotencyKey must not be empty').max(200, 'idempotencyKey is at most 200 characters');

/** JSON with sorted keys, so the same input always hashes the same. */
function canonical(value: unknown): string {
  if (value instanceof Date) return JSON.stringify(value.toISOString());
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

export function requestHash(operation: string, input: unknown): string {
  return createHash('sha256')
    .update(`${operation}\n${canonical(input)}`)
    .digest('hex');
}

/** How long keys count, and the clock they are measured by. */
export interface KeyRetention {
  hours: number;
  now: () => Date;
}

/** The instant before which claimed keys have expired. */
export function keysExpiredBefore(retention: KeyRetention): Date {
  return new Date(retention.now().getTime() - retention.hours * HOUR_MS);
}

/** A claim for the caller's key, or null when the caller sent none. */
export function idempotencyClaim(
  callerId: string,
  key: string | null | undefined,
  operation: string,
  input: unknown,
  retention: KeyRetention,
): IdempotencyClaim | null {
  if (key === null || key === undefined) return null;
  const parsed = parseInput(z.object({ idempotencyKey: keySchema }), { idempotencyKey: key }).idempotencyKey;
  return { callerId, key: parsed, requestHash: requestHash(operation, input), expiredBefore: keysExpiredBefore(retention) };
}
