import type { StayRecord, ViewingRecord } from '../domain';
import type { Tx } from '../db';
import { CleanupRepository } from '../repositories/cleanup-repository';
import { refundFor } from '../rules/cancellation-policy';
import { todayIn } from '../rules/days';

/** What one deletion changed, for logs and tests. */
export interface CleanupReport {
  staysCancelled: number;
  viewingsCancelled: number;
  slotsRemoved: number;
}

/**
 * A stay still ahead at `at`: its check-in day has not passed at the listing. Stays already under
 * way or over are kept as they are, for both parties' records.
 */
const isAhead = (stay: StayRecord, at: Date) => stay.checkIn >= todayIn(stay.timeZone, at);
const isUpcoming = (viewing: ViewingRecord, at: Date) => viewing.startsAt > at;

/**
 * The rules for what a deleted account or listing takes with it. Each method runs inside the
 * transaction of the consumer's inbox row, so it applies once however often the event arrives, and
 * only touches what is still live, so running it twice would change nothing either.
 *
 * Cancellations go through the same writes as a user's own (holds freed, reminders dropped, the
 * usual `bookings.stay.cancelled` / `bookings.viewing.cancelled` events), so the other party is told.
 * Refunds are decided as of the deletion (`at`, the event's time), not of whenever it is processed.
 */
export class CleanupService {
  constructor(private readonly reminderLeadsMinutes: readonly number[]) {}

  /**
   * A user deleted their account. As a guest, their stays still ahead are cancelled as if they had
   * cancelled them (the listing's policy decides the refund); as a host, the stays ahead at their
   * listings are cancelled as by the host (full refund) and the listings leave the market here; as
   * buyer or agent, their upcoming viewings are cancelled and their slots removed. What stays behind
   * (past and ongoing stays and viewings) names them only by id: their viewing notes and block
   * reasons are erased, and their idempotency keys forgotten.
   */
  async userDeleted(tx: Tx, userId: string, at: Date): Promise<CleanupReport> {
    const repo = new CleanupRepository(tx, this.reminderLeadsMinutes);
    await repo.withdrawListingsOf(userId, at);
    let staysCancelled = 0;
    for (const stay of await repo.liveStaysOfGuest(userId)) {
      if (!isAhead(stay, at)) continue;
      const refund = refundFor(stay, 'guest', at);
      await repo.cancelStay(stay, { status: 'CANCELLED', refundAmount: refund.amount, cancelledById: userId });
      staysCancelled += 1;
    }
    staysCancelled += await this.cancelStaysAsHost(repo, await repo.liveStaysAtListingsOf(userId), userId, at);
    const viewingsCancelled = await this.cancelViewings(repo, await repo.liveViewingsOf(userId), userId, at);
    const slotsRemoved = await repo.removeSlotsOfAgent(userId);
    await repo.eraseWritingsOf(userId);
    await repo.forgetIdempotencyKeysOf(userId);
    return { staysCancelled, viewingsCancelled, slotsRemoved };
  }

  /**
   * A listing was deleted (its snapshot is already marked). Its stays ahead are cancelled as by the
   * host, with a full refund; its upcoming viewings are cancelled and its slots removed.
   */
  async listingDeleted(tx: Tx, listingId: string, ownerId: string, at: Date): Promise<CleanupReport> {
    const repo = new CleanupRepository(tx, this.reminderLeadsMinutes);
    const staysCancelled = await this.cancelStaysAsHost(repo, await repo.liveStaysOfListing(listingId), ownerId, at);
    const viewingsCancelled = await this.cancelViewings(repo, await repo.liveViewingsOfListing(listingId), ownerId, at);
    const slotsRemoved = await repo.removeSlotsOfListing(listingId);
    return { staysCancelled, viewingsCancelled, slotsRemoved };
  }

  private async cancelStaysAsHost(repo: CleanupRepository, stays: StayRecord[], by: string, at: Date): Promise<number> {
    let cancelled = 0;
    for (const stay of stays) {
      if (!isAhead(stay, at)) continue;
      const refund = refundFor(stay, 'host', at);
      await repo.cancelStay(stay, { status: 'CANCELLED', refundAmount: refund.amount, cancelledById: by });
      cancelled += 1;
    }
    return cancelled;
  }

  private async cancelViewings(repo: CleanupRepository, viewings: ViewingRecord[], by: string, at: Date): Promise<number> {
    let cancelled = 0;
    for (const viewing of viewings) {
      if (!isUpcoming(viewing, at)) continue;
      await repo.cancelViewing(viewing, by, at);
      cancelled += 1;
    }
    return cancelled;
  }
}
