import { createHash } from 'node:crypto';
import { z } from 'zod';
import { BadUserInputError, NotFoundError, parseInput, type AuthContext } from '@market/platform';
import { isUuid, type TargetRef } from '../domain';
import type { ViewInput, ViewOutcome, ViewRepository } from '../repositories/view-repository';

const deviceSchema = z.object({
  deviceId: z.string().trim().min(8, 'deviceId is 8 to 200 characters').max(200, 'deviceId is 8 to 200 characters').nullish(),
});

interface Pending {
  view: ViewInput;
  resolve: (outcome: ViewOutcome) => void;
  reject: (err: unknown) => void;
}

const NAMES = { POST: 'Post', LISTING: 'Listing', MACHINE: 'Machine' } as const;

/**
 * `recordView` on the hot path: views arriving within `windowMs` of each other are written in one
 * INSERT (or at once when `maxBatch` are waiting), and each caller is answered when its batch has
 * committed, so a view that was acknowledged is stored. Device ids are stored hashed.
 */
export class ViewRecorder {
  private pending: Pending[] = [];
  private timer: NodeJS.Timeout | null = null;
  private flushing = new Set<Promise<void>>();

  constructor(
    private readonly views: ViewRepository,
    private readonly options: { windowMs: number; maxBatch: number },
  ) {}

  /** True when this was a new view today; NOT_FOUND for a target the caller cannot see. */
  async record(ctx: AuthContext, target: TargetRef, input: { deviceId?: string | null }): Promise<boolean> {
    const { deviceId } = parseInput(deviceSchema, input);
    const identity = ctx.identity;
    if (!identity && !deviceId)
      throw new BadUserInputError('Sign in or send a deviceId to record a view.', { deviceId: ['required when signed out'] });
    if (!isUuid(target.id)) throw new NotFoundError(NAMES[target.type], target.id);
    const viewer = identity ? `u:${identity.userId}` : `d:${createHash('sha256').update(deviceId!).digest('hex').slice(0, 64)}`;
    const outcome = await this.enqueue({
      targetType: target.type,
      targetId: target.id,
      viewer,
      userId: identity?.userId ?? null,
      isAdmin: identity?.role === 'ADMIN',
    });
    if (outcome === 'NOT_FOUND') throw new NotFoundError(NAMES[target.type], target.id);
    return outcome === 'COUNTED';
  }

  /** Writes what is waiting; the host calls it on close so nothing acknowledged is lost. */
  async close(): Promise<void> {
    this.flush();
    await Promise.all([...this.flushing]);
  }

  private enqueue(view: ViewInput): Promise<ViewOutcome> {
    return new Promise<ViewOutcome>((resolve, reject) => {
      this.pending.push({ view, resolve, reject });
      if (this.pending.length >= this.options.maxBatch || this.options.windowMs === 0) this.flush();
      else this.timer ??= setTimeout(() => this.flush(), this.options.windowMs);
    });
  }

  private flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    const batch = this.pending;
    this.pending = [];
    if (batch.length === 0) return;
    const done = this.views.record(batch.map((p) => p.view)).then(
      (outcomes) => batch.forEach((p, i) => p.resolve(outcomes[i]!)),
      (err: unknown) => batch.forEach((p) => p.reject(err)),
    );
    this.flushing.add(done);
    void done.finally(() => this.flushing.delete(done));
  }
}
