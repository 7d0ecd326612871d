import { LivePublisher, type Logger, type PubSub } from '@market/platform';
import { biddersOf, highestBid, type AuctionState } from '../rules/aggregate';
import { auctionView, type AuctionView } from '../rules/views';
import { auctionUpdatedTopic, bidDecidedTopic, myAuctionActivityTopic, type ActivityKind, type StoredBidResult } from '../live/topics';
import type { CommittedBatch } from './command-processor';

/**
 * Announces committed auction changes: one `auctionUpdated` per committed batch (the auction after
 * it: a hot auction's subscribers get its latest state, not every intermediate one) and the
 * `myAuctionActivity` events each appended event means for the people concerned. After the commit,
 * at-most-once: a failed publish is logged, and clients catch up by reading `auction(id)`.
 */
export class AuctionLive extends LivePublisher {
  constructor(pubsub: PubSub, logger: Logger) {
    super(pubsub, logger, 'subscribers catch up by reading the auction');
  }

  committed(batch: CommittedBatch): void {
    if (!batch.state) return;
    const view = auctionView(batch.state);
    void this.publish(auctionUpdatedTopic, view.id, { cursor: String(view.version), payload: view });
    for (const appended of batch.appended) {
      appended.events.forEach((event, i) => {
        const after = appended.states[i] as AuctionState;
        for (const [userId, kind, amountMinor] of activities(event.data, after)) {
          const payload = { kind, auction: auctionView(after), amountMinor };
          void this.publish(myAuctionActivityTopic, userId, { cursor: `${after.id}:${event.seq}`, payload });
        }
      });
    }
  }

  /** The answer to a command that was answered BidPending. */
  decided(bidderId: string, result: StoredBidResult): void {
    void this.publish(bidDecidedTopic, `${bidderId}:${result.commandId}`, { cursor: result.commandId, payload: result });
  }

  auctionChanged(view: AuctionView): void {
    void this.publish(auctionUpdatedTopic, view.id, { cursor: String(view.version), payload: view });
  }
}

/** Who hears what about one event: [user id, kind, amount]. */
function activities(
  data: CommittedBatch['appended'][number]['events'][number]['data'],
  after: AuctionState,
): [string, ActivityKind, number | null][] {
  switch (data.type) {
    case 'BidPlaced': {
      const out: [string, ActivityKind, number | null][] = [[data.bidderId, 'BID_ACCEPTED', data.amountMinor]];
      // Under OWN_BEST a bid can stay under the highest: only a new leader outbids anyone.
      if (data.previousLeaderId && data.previousLeaderId !== data.bidderId && highestBid(after)?.bidderId === data.bidderId) {
        out.push([data.previousLeaderId, 'OUTBID', data.amountMinor]);
      }
      return out;
    }
    case 'BidDoubled': {
      const out: [string, ActivityKind, number | null][] = [[data.bidderId, 'DOUBLED', data.toMinor]];
      if (data.previousLeaderId && data.previousLeaderId !== data.bidderId && data.toMinor > (data.previousHighestMinor ?? 0)) {
        out.push([data.previousLeaderId, 'OUTBID', data.toMinor]);
      }
      return out;
    }
    case 'AuctionClosed':
      return biddersOf(after).map((userId): [string, ActivityKind, number | null] => {
        if (data.outcome === 'WON' && userId === data.winnerId) return [userId, 'WON', data.winningMinor];
        if (data.outcome === 'RESERVE_NOT_MET' && userId === data.highestBidderId) return [userId, 'RESERVE_NOT_MET', data.highestMinor];
        return [userId, 'LOST', data.winningMinor];
      });
    case 'AuctionCancelled':
      return biddersOf(after).map((userId): [string, ActivityKind, number | null] => [userId, 'CANCELLED', null]);
    default:
      return [];
  }
}
