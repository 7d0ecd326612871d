import type { Identity } from '@market/platform';
import type { ListingSnapshot, StayRecord, ViewingRecord } from '../domain';

/**
 * Who may see what. A stay or viewing is private to its parties; to anyone else it does not exist
 * (NOT_FOUND), so ids cannot be probed. Admins act for the host or agent.
 */
export function isStayParty(identity: Identity | null, stay: StayRecord): boolean {
  return identity !== null && (identity.role === 'ADMIN' || identity.userId === stay.guestId || identity.userId === stay.hostId);
}

/** The listing's owner (per the latest snapshot) or an admin: confirms, declines and completes stays. */
export function actsAsHost(identity: Identity, stay: StayRecord): boolean {
  return identity.role === 'ADMIN' || identity.userId === stay.hostId;
}

export function isViewingParty(identity: Identity | null, viewing: ViewingRecord): boolean {
  return identity !== null && (identity.role === 'ADMIN' || identity.userId === viewing.buyerId || identity.userId === viewing.agentId);
}

/** The viewing's agent or an admin: confirms viewings, and confirms the times they move them to. */
export function actsAsAgent(identity: Identity, viewing: ViewingRecord): boolean {
  return identity.role === 'ADMIN' || identity.userId === viewing.agentId;
}

/** The listing's owner (per the latest snapshot) and admins manage its calendar, stays and viewings. */
export function managesListing(identity: Identity, snapshot: ListingSnapshot): boolean {
  return identity.role === 'ADMIN' || identity.userId === snapshot.ownerId;
}
