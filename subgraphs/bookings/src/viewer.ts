import type DataLoader from 'dataloader';
import type { AuthContext } from '@market/platform';
import type { ListedSlotRecord, ListingSnapshot, StayRecord, ViewingRecord } from './domain';

/** Per-request batching: N parents or references cost one query per loader. */
export interface Loaders {
  snapshotById: DataLoader<string, ListingSnapshot | null>;
  stayById: DataLoader<string, StayRecord | null>;
  viewingById: DataLoader<string, ViewingRecord | null>;
  staysByListing: DataLoader<string, StayRecord[]>;
  staysByGuest: DataLoader<string, StayRecord[]>;
  viewingsByListing: DataLoader<string, ViewingRecord[]>;
  viewingsByBuyer: DataLoader<string, ViewingRecord[]>;
  slotsByListing: DataLoader<string, ListedSlotRecord[]>;
}

/**
 * What the services need from a request: who calls, and the request's loaders. Its own file, below
 * the services, so they can take it without importing the Context that names them.
 */
export interface Viewer extends AuthContext {
  loaders: Loaders;
}
