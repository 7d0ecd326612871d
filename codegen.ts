import path from 'node:path';
import type { CodegenConfig } from '@graphql-codegen/cli';

/**
 * Resolver types for every subgraph, from its SDL: one configuration, run by each subgraph's
 * `generate` script from its own folder (so a schema change regenerates that subgraph only).
 * Mappers point GraphQL types at the domain records resolvers really receive, so services and
 * repositories never import generated GraphQL types.
 */
const MAPPERS: Record<string, Record<string, string>> = {
  accounts: {
    User: 'UserRecord',
    Session: 'SessionRecord',
    Contact: 'ConnectionRecord',
    DevOutboxMessage: 'DevOutboxRecord',
  },
  listings: {
    Listing: 'ListingView',
    User: 'UserRef',
    ListingSearchResult: '../search/search-service#SearchResultPage',
    SavedSearch: '../repositories/saved-repository#SavedSearchRecord',
    SavedListingConnection: '../saved/saved-service#SavedListingPage',
    SaveSearchResult: '../saved/saved-service#SaveSearchOutcome',
    SavedSearchFilter: '../search/port#SearchFilter',
    ListingPhoto: '../photos/photo-service#PhotoView',
    ConfirmListingPhotoResult: '../photos/photo-service#ConfirmPhotoOutcome',
    Auction: '../auctions/resolvers/models#AuctionView',
    Bid: '../auctions/resolvers/models#BidView',
    BidAccepted: '../auctions/resolvers/models#BidAcceptedModel',
    BidRejected: '../auctions/resolvers/models#BidRejectedModel',
    BidPending: '../auctions/resolvers/models#BidPendingModel',
    AuctionActivity: '../auctions/resolvers/models#AuctionActivityModel',
  },
  bookings: {
    Stay: 'StayRecord',
    ViewingAppointment: 'ViewingRecord',
    Listing: 'ListingRef',
    User: 'UserRef',
    CalendarBlock: 'CalendarBlockRecord',
    ViewingSlot: 'ViewingSlotRecord',
    CancellationQuote: 'CancellationQuoteRecord',
  },
  messaging: {
    User: 'UserRef',
    Conversation: 'ConversationRecord',
    Message: 'MessageRecord',
    Notification: 'NotificationRecord',
    TypingEvent: 'TypingRecord',
    Listing: 'ListingRef',
    ListingWatch: 'WatchRecord',
    InboxUpdate: 'InboxUpdateRecord',
    ReadReceipt: 'ReadReceiptRecord',
    MessageConnection: 'MessageConnectionRecord',
    Broadcast: 'BroadcastRecord',
    Delivery: 'DeliveryView',
    MessageAttachment: 'AttachmentRecord',
  },
  engagement: {
    Post: 'PostRecord',
    Comment: 'CommentRecord',
    Reaction: 'ReactionRecord',
    User: 'UserRef',
    Listing: 'ListingRef',
    ModerationCase: 'ModerationCaseRecord',
    ModerationReport: 'ModerationReportRecord',
    Machine: 'MachineRef',
    Feedback: 'FeedbackRecord',
    FeedbackSummary: 'FeedbackSummaryRecord',
    CommentConnection: 'CommentConnectionRecord',
    Review: 'ReviewRecord',
    ActivityProfile: 'ActivityRecord',
  },
  instances: {
    Machine: 'MachineRecord',
    Instance: 'InstanceRecord',
    InstanceLogLine: 'InstanceLogLineRecord',
    InstanceLogLineConnection: 'InstanceLogLinePage',
    User: 'UserRef',
    QuotaExceeded: 'QuotaExceededOutcome',
    CapacityExhausted: 'CapacityExhaustedOutcome',
    NoPortAvailable: 'NoPortAvailableOutcome',
    MachineRetired: 'MachineRetiredOutcome',
  },
};

const domain = path.basename(process.cwd());
const mappers = MAPPERS[domain];
if (!mappers)
  throw new Error(`codegen.ts runs from a subgraph folder (one of ${Object.keys(MAPPERS).join(', ')}), not from ${process.cwd()}`);

const config: CodegenConfig = {
  schema: 'schema.graphql',
  generates: {
    'src/generated/graphql.ts': {
      plugins: ['typescript', 'typescript-resolvers'],
      config: {
        federation: true,
        useTypeImports: true,
        enumsAsTypes: true,
        contextType: '../context#Context',
        // A bare record name lives in the subgraph's domain.ts; `path#Name` names another module.
        mappers: Object.fromEntries(
          Object.entries(mappers).map(([type, record]) => [type, record.includes('#') ? record : `../domain#${record}`]),
        ),
        // Date only where a subgraph's SDL declares it (bookings); unused scalars cost nothing.
        scalars: { DateTime: 'Date', Date: 'string', ID: 'string' },
      },
    },
  },
};
export default config;
