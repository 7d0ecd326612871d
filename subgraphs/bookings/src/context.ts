import type { BaseContext } from '@market/platform';
import type { CalendarService } from './services/calendar-service';
import type { StayService } from './services/stay-service';
import type { ViewingService } from './services/viewing-service';
import type { Viewer } from './viewer';

export interface Context extends BaseContext, Viewer {
  stays: StayService;
  viewings: ViewingService;
  calendar: CalendarService;
}
