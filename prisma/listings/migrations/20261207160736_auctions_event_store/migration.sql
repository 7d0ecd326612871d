-- CreateTable
CREATE TABLE "auction_events" (
    "id" UUID NOT NULL,
    "auction_id" UUID NOT NULL,
    "seq" INTEGER NOT NULL,
    "type" VARCHAR(40) NOT NULL,
    "payload" JSONB NOT NULL,
    "occurred_at" TIMESTAMPTZ(3) NOT NULL,
    "causation_id" VARCHAR(200),
    "position" BIGSERIAL NOT NULL,

    CONSTRAINT "auction_events_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "auction_snapshots" (
    "auction_id" UUID NOT NULL,
    "seq" INTEGER NOT NULL,
    "state" JSONB NOT NULL,
    "taken_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "auction_snapshots_pkey" PRIMARY KEY ("auction_id")
);

-- CreateTable
CREATE TABLE "auction_summaries" (
    "auction_id" UUID NOT NULL,
    "listing_id" UUID NOT NULL,
    "seller_id" UUID NOT NULL,
    "status" VARCHAR(12) NOT NULL,
    "status_rank" SMALLINT NOT NULL,
    "rule" VARCHAR(12) NOT NULL,
    "currency" CHAR(3) NOT NULL,
    "starting_minor" BIGINT NOT NULL,
    "increment_minor" BIGINT NOT NULL,
    "reserve_minor" BIGINT,
    "starts_at" TIMESTAMPTZ(3) NOT NULL,
    "ends_at" TIMESTAMPTZ(3) NOT NULL,
    "original_ends_at" TIMESTAMPTZ(3) NOT NULL,
    "soft_close_seconds" INTEGER NOT NULL,
    "promoter_enabled" BOOLEAN NOT NULL,
    "highest_bid_id" UUID,
    "highest_bidder_id" UUID,
    "highest_minor" BIGINT,
    "bid_count" INTEGER NOT NULL,
    "outcome" VARCHAR(16),
    "winner_id" UUID,
    "winning_minor" BIGINT,
    "cancel_reason" VARCHAR(40),
    "version" INTEGER NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "auction_summaries_pkey" PRIMARY KEY ("auction_id")
);

-- CreateTable
CREATE TABLE "auction_bids" (
    "bid_id" UUID NOT NULL,
    "auction_id" UUID NOT NULL,
    "bidder_id" UUID NOT NULL,
    "amount_minor" BIGINT NOT NULL,
    "doubled_from_minor" BIGINT,
    "status" VARCHAR(10) NOT NULL,
    "seq" INTEGER NOT NULL,
    "placed_at" TIMESTAMPTZ(3) NOT NULL,
    "retracted_at" TIMESTAMPTZ(3),

    CONSTRAINT "auction_bids_pkey" PRIMARY KEY ("bid_id")
);

-- CreateTable
CREATE TABLE "auction_commands" (
    "command_id" UUID NOT NULL,
    "bidder_id" UUID NOT NULL,
    "idempotency_key" VARCHAR(100) NOT NULL,
    "auction_id" UUID NOT NULL,
    "result" JSONB NOT NULL,
    "decided_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "auction_commands_pkey" PRIMARY KEY ("command_id")
);

-- CreateTable
CREATE TABLE "auction_job_claims" (
    "job" VARCHAR(40) NOT NULL,
    "due_at" TIMESTAMPTZ(3) NOT NULL,
    "claimed_by" VARCHAR(100),

    CONSTRAINT "auction_job_claims_pkey" PRIMARY KEY ("job")
);

-- CreateIndex
CREATE INDEX "auction_events_position_idx" ON "auction_events"("position");

-- CreateIndex
CREATE UNIQUE INDEX "auction_events_auction_id_seq_key" ON "auction_events"("auction_id", "seq");

-- CreateIndex
CREATE INDEX "auction_summaries_status_rank_ends_at_auction_id_idx" ON "auction_summaries"("status_rank", "ends_at", "auction_id");

-- CreateIndex
CREATE INDEX "auction_summaries_status_ends_at_idx" ON "auction_summaries"("status", "ends_at");

-- CreateIndex
CREATE INDEX "auction_summaries_status_starts_at_idx" ON "auction_summaries"("status", "starts_at");

-- CreateIndex
CREATE INDEX "auction_summaries_listing_id_created_at_idx" ON "auction_summaries"("listing_id", "created_at" DESC);

-- CreateIndex
CREATE INDEX "auction_summaries_seller_id_idx" ON "auction_summaries"("seller_id");

-- CreateIndex
CREATE INDEX "auction_bids_auction_id_status_amount_minor_seq_idx" ON "auction_bids"("auction_id", "status", "amount_minor" DESC, "seq");

-- CreateIndex
CREATE INDEX "auction_bids_bidder_id_auction_id_seq_idx" ON "auction_bids"("bidder_id", "auction_id", "seq");

-- CreateIndex
CREATE INDEX "auction_commands_decided_at_idx" ON "auction_commands"("decided_at");

-- CreateIndex
CREATE UNIQUE INDEX "auction_commands_bidder_id_idempotency_key_key" ON "auction_commands"("bidder_id", "idempotency_key");

-- Hand-written: the rules the log and its read models must never break, whatever code writes them.
ALTER TABLE "auction_events"
  ADD CONSTRAINT "auction_events_seq_positive" CHECK (seq >= 1),
  ADD CONSTRAINT "auction_events_type_known" CHECK (type IN ('AuctionCreated', 'AuctionOpened', 'BidPlaced', 'BidRetracted', 'BidDoubled', 'AuctionClosed', 'AuctionCancelled')),
  ADD CONSTRAINT "auction_events_payload_object" CHECK (jsonb_typeof(payload) = 'object'),
  -- The first event of every auction creates it, and only the first does.
  ADD CONSTRAINT "auction_events_created_first" CHECK ((seq = 1) = (type = 'AuctionCreated'));

ALTER TABLE "auction_snapshots" ADD CONSTRAINT "auction_snapshots_seq_positive" CHECK (seq >= 1);

ALTER TABLE "auction_summaries"
  ADD CONSTRAINT "auction_summaries_status_known" CHECK (status IN ('SCHEDULED', 'OPEN', 'CLOSED', 'CANCELLED')),
  ADD CONSTRAINT "auction_summaries_status_rank" CHECK (status_rank = CASE status WHEN 'OPEN' THEN 0 WHEN 'SCHEDULED' THEN 1 ELSE 2 END),
  ADD CONSTRAINT "auction_summaries_rule_known" CHECK (rule IN ('ASCENDING', 'OWN_BEST')),
  ADD CONSTRAINT "auction_summaries_currency_code" CHECK (currency ~ '^[A-Z]{3}$'),
  ADD CONSTRAINT "auction_summaries_money" CHECK (starting_minor >= 0 AND increment_minor > 0
    AND (reserve_minor IS NULL OR reserve_minor >= starting_minor)
    AND starting_minor <= 100000000000000 AND (reserve_minor IS NULL OR reserve_minor <= 100000000000000)),
  ADD CONSTRAINT "auction_summaries_times" CHECK (ends_at > starts_at AND ends_at >= original_ends_at AND original_ends_at > starts_at),
  ADD CONSTRAINT "auction_summaries_soft_close" CHECK (soft_close_seconds BETWEEN 0 AND 3600),
  ADD CONSTRAINT "auction_summaries_highest" CHECK ((highest_bid_id IS NULL) = (highest_minor IS NULL) AND (highest_bid_id IS NULL) = (highest_bidder_id IS NULL)
    AND (highest_minor IS NULL OR highest_minor >= starting_minor) AND bid_count >= 0 AND (bid_count = 0) = (highest_bid_id IS NULL)),
  ADD CONSTRAINT "auction_summaries_outcome" CHECK ((status = 'CLOSED') = (outcome IS NOT NULL)
    AND (outcome IS NULL OR outcome IN ('WON', 'RESERVE_NOT_MET', 'NO_BIDS'))
    AND ((outcome = 'WON') = (winner_id IS NOT NULL)) AND ((winner_id IS NULL) = (winning_minor IS NULL))),
  ADD CONSTRAINT "auction_summaries_cancel" CHECK ((status = 'CANCELLED') = (cancel_reason IS NOT NULL)
    AND (cancel_reason IS NULL OR cancel_reason IN ('SELLER', 'ADMIN', 'LISTING_DELETED', 'SELLER_DELETED'))),
  ADD CONSTRAINT "auction_summaries_version" CHECK (version >= 1);

-- A listing has at most one auction that has not ended: written in the creating transaction, so two
-- concurrent createAuction calls on one listing cannot both succeed.
CREATE UNIQUE INDEX "auction_summaries_one_live_per_listing" ON "auction_summaries" ("listing_id") WHERE status IN ('SCHEDULED', 'OPEN');

ALTER TABLE "auction_bids"
  ADD CONSTRAINT "auction_bids_amount" CHECK (amount_minor > 0 AND amount_minor <= 100000000000000),
  ADD CONSTRAINT "auction_bids_doubled" CHECK (doubled_from_minor IS NULL OR (doubled_from_minor > 0 AND doubled_from_minor < amount_minor)),
  ADD CONSTRAINT "auction_bids_status" CHECK (status IN ('LIVE', 'RETRACTED') AND (status = 'RETRACTED') = (retracted_at IS NOT NULL)),
  ADD CONSTRAINT "auction_bids_seq_positive" CHECK (seq >= 2);

CREATE UNIQUE INDEX "auction_bids_auction_seq" ON "auction_bids" ("auction_id", "seq");

ALTER TABLE "auction_commands"
  ADD CONSTRAINT "auction_commands_key_length" CHECK (length(idempotency_key) BETWEEN 1 AND 100),
  ADD CONSTRAINT "auction_commands_result_object" CHECK (jsonb_typeof(result) = 'object');
