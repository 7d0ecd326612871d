import type { StoredBidResult } from '../live/topics';
import type { ActivityKind } from '../live/topics';
import type { AuctionView } from '../rules/views';

/** What the auction result types resolve from (graphql-codegen mappers in codegen.ts). */
export type BidAcceptedModel = Extract<StoredBidResult, { kind: 'ACCEPTED' }>;
export type BidRejectedModel = Extract<StoredBidResult, { kind: 'REJECTED' }>;
export interface BidPendingModel {
  kind: 'PENDING';
  commandId: string;
}
export interface AuctionActivityModel {
  kind: ActivityKind;
  auction: AuctionView;
  amountMinor: number | null;
  cursor: string;
}
export type { AuctionView, BidView } from '../rules/views';
