import type { EventEnvelope } from '@market/platform';
import type { Tx } from '../db';
import { isUuid } from '../domain';
import { TargetRepository } from '../repositories/target-repository';

/**
 * Listings and machines engagement can attach comments, reactions and feedback to, learnt from
 * their owners' events (no cross-database reads): whether one exists, its owner, and its status
 * (a DRAFT or ARCHIVED listing is seen by its owner and admins only).
 */
export const targetReplicaHandlers = {
  'listings.listing.upserted': async (event: EventEnvelope<'listings.listing.upserted'>, tx: Tx): Promise<void> => {
    const p = event.payload;
    if (!isUuid(p.listingId)) return;
    // Without a version (older events) the time it happened orders them, in seconds to fit an int.
    const version = p.version ?? Math.floor(Date.parse(event.occurredAt) / 1000) % 2_000_000_000;
    await TargetRepository.upsertReplica(tx, {
      targetType: 'LISTING',
      targetId: p.listingId,
      ownerId: isUuid(p.ownerId) ? p.ownerId : null,
      status: p.status,
      version,
    });
  },
  'instances.machine.upserted': async (event: EventEnvelope<'instances.machine.upserted'>, tx: Tx): Promise<void> => {
    if (!isUuid(event.payload.machineId)) return;
    await TargetRepository.upsertReplica(tx, {
      targetType: 'MACHINE',
      targetId: event.payload.machineId,
      ownerId: null,
      status: 'ACTIVE',
      version: 0,
    });
  },
};
