import type DataLoader from 'dataloader';
import type { AuthContext, BaseContext } from '@market/platform';
import type { ListedSlotRecord, ListingSnapshot, StayRecord, ViewingRecord } from './domain';
import type { CalendarService } from './services/calendar-service';
import type { StayService } from './services/stay-service';
import type { ViewingService } from './services/viewing-service';

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

/** What the services need from a request: who calls, and the request's loaders. */
export interface Viewer extends AuthContext {
  loaders: Loaders;
}

export interface Context extends BaseContext, Viewer {
  stays: StayService;
  viewings: ViewingService;
  calendar: CalendarService;
}
