import { Prisma } from '../generated/prisma/client';
import type { Tx } from '../db';
import type { StayRecord, ViewingRecord } from '../domain';
import { forgetIdempotencyKeysOf } from './idempotency-keys';
import { lockStays, writeStayChange, type StayChange } from './stay-repository';
import { lockViewings, writeViewingChange } from './viewing-repository';

const LIVE_STAY = Prisma.sql`status IN ('REQUESTED', 'CONFIRMED')`;
const LIVE_VIEWING = Prisma.sql`status IN ('PENDING', 'CONFIRMED')`;

/**
 * What a deleted account or a deleted listing takes with it, inside the transaction that records
 * the event in the inbox: every write here commits together with that row, or not at all. Reads lock
 * what they return (FOR UPDATE), so a host or guest acting at the same moment waits, then meets the
 * new state.
 */
export class CleanupRepository {
  constructor(
    private readonly tx: Tx,
    /** Minutes before a confirmed viewing that reminders go out (writeViewingChange reschedules them). */
    private readonly reminderLeadsMinutes: readonly number[],
  ) {}

  /** Live stays the user booked as a guest. */
  liveStaysOfGuest(userId: string): Promise<StayRecord[]> {
    return lockStays(this.tx, Prisma.sql`guest_id = ${userId}::uuid AND ${LIVE_STAY}`);
  }

  /** Live stays at the listings the user owns. */
  liveStaysAtListingsOf(ownerId: string): Promise<StayRecord[]> {
    return lockStays(
      this.tx,
      Prisma.sql`${LIVE_STAY} AND listing_id IN (SELECT listing_id FROM listing_snapshots WHERE owner_id = ${ownerId}::uuid)`,
    );
  }

  liveStaysOfListing(listingId: string): Promise<StayRecord[]> {
    return lockStays(this.tx, Prisma.sql`listing_id = ${listingId}::uuid AND ${LIVE_STAY}`);
  }

  cancelStay(stay: StayRecord, change: StayChange & { status: 'CANCELLED' }): Promise<StayRecord> {
    return writeStayChange(this.tx, stay, change);
  }

  /** Live viewings the user takes part in: as buyer, as agent, or at a listing they own now. */
  liveViewingsOf(userId: string): Promise<ViewingRecord[]> {
    return lockViewings(
      this.tx,
      Prisma.sql`${LIVE_VIEWING} AND (buyer_id = ${userId}::uuid OR agent_id = ${userId}::uuid
        OR listing_id IN (SELECT listing_id FROM listing_snapshots WHERE owner_id = ${userId}::uuid))`,
    );
  }

  liveViewingsOfListing(listingId: string): Promise<ViewingRecord[]> {
    return lockViewings(this.tx, Prisma.sql`listing_id = ${listingId}::uuid AND ${LIVE_VIEWING}`);
  }

  cancelViewing(viewing: ViewingRecord, cancelledBy: string, now: Date): Promise<ViewingRecord> {
    return writeViewingChange(
      this.tx,
      viewing,
      { status: 'CANCELLED', cancelledBy },
      { now, reminderLeadsMinutes: this.reminderLeadsMinutes },
    );
  }

  /** Takes the user's listings off the market here, so nothing new is booked there. */
  async withdrawListingsOf(ownerId: string, at: Date): Promise<void> {
    await this.tx.listingSnapshot.updateMany({ where: { ownerId, deletedAt: null }, data: { deletedAt: at } });
  }

  /** The viewing slots an agent published (past viewings keep their times; their slot link is cleared). */
  async removeSlotsOfAgent(agentId: string): Promise<number> {
    const { count } = await this.tx.viewingSlot.deleteMany({ where: { agentId } });
    return count;
  }

  async removeSlotsOfListing(listingId: string): Promise<number> {
    const { count } = await this.tx.viewingSlot.deleteMany({ where: { listingId } });
    return count;
  }

  /**
   * Erases what the user wrote in their own words: the notes on the viewings they asked for and the
   * reasons on the nights they blocked. Ids, dates and amounts stay, for the other party's records.
   */
  async eraseWritingsOf(userId: string): Promise<void> {
    await this.tx.viewingAppointment.updateMany({ where: { buyerId: userId, note: { not: null } }, data: { note: null } });
    await this.tx.calendarHold.updateMany({
      where: { kind: 'BLOCK', reason: { not: null }, OR: [{ createdById: userId }, { listing: { ownerId: userId } }] },
      data: { reason: null },
    });
  }

  forgetIdempotencyKeysOf(userId: string): Promise<void> {
    return forgetIdempotencyKeysOf(this.tx, userId);
  }
}
