import type { Identity } from '@market/platform';
import type { ConversationService } from './conversation-service';
import type { LiveUpdates } from './live-updates';

/** At most one typing event per person and conversation in this window. */
export const TYPING_INTERVAL_MS = 2_000;

/**
 * Lets one call per key through per window. Per process: with several replicas a person may be
 * announced once per replica per window, which is harmless for an ephemeral signal.
 */
export class Throttle {
  private readonly last = new Map<string, number>();
  private lastSweep = 0;

  constructor(
    private readonly windowMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** Takes the key's turn if it is free; `release` gives it back (the call did not go through). */
  tryTake(key: string): boolean {
    const now = this.now();
    this.sweep(now);
    const last = this.last.get(key);
    if (last !== undefined && now - last < this.windowMs) return false;
    this.last.set(key, now);
    return true;
  }

  release(key: string): void {
    this.last.delete(key);
  }

  /** Forgets expired keys, at most once per window, so the map holds only recent typists. */
  private sweep(now: number) {
    if (now - this.lastSweep < this.windowMs) return;
    this.lastSweep = now;
    for (const [key, at] of this.last) if (now - at >= this.windowMs) this.last.delete(key);
  }
}

/** "Someone is typing": checked like a message, announced live, never stored. */
export class TypingService {
  private readonly throttle: Throttle;

  constructor(
    private readonly conversations: ConversationService,
    private readonly live: LiveUpdates,
    options: { intervalMs?: number; now?: () => number } = {},
  ) {
    this.throttle = new Throttle(options.intervalMs ?? TYPING_INTERVAL_MS, options.now);
  }

  /** True when the other participants were told, false when this person told them moments ago. */
  async setTyping(identity: Identity, conversationId: string): Promise<boolean> {
    const key = `${identity.userId.toLowerCase()}:${conversationId.trim().toLowerCase()}`;
    if (!this.throttle.tryTake(key)) return false;
    let id: string;
    try {
      id = await this.conversations.requireParticipant(identity, conversationId);
    } catch (err) {
      this.throttle.release(key);
      throw err;
    }
    await this.live.typing({ conversationId: id, userId: identity.userId.toLowerCase(), at: new Date() });
    return true;
  }
}
