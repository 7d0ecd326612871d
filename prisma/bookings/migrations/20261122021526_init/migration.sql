-- CreateSchema
CREATE SCHEMA IF NOT EXISTS "public";

-- CreateEnum
CREATE TYPE "ListingKind" AS ENUM ('SALE', 'RENT');

-- CreateEnum
CREATE TYPE "StayStatus" AS ENUM ('REQUESTED', 'CONFIRMED', 'DECLINED', 'CANCELLED', 'COMPLETED');

-- CreateEnum
CREATE TYPE "ViewingStatus" AS ENUM ('PENDING', 'CONFIRMED', 'CANCELLED');

-- CreateTable
CREATE TABLE "listing_snapshots" (
    "listing_id" UUID NOT NULL,
    "owner_id" UUID NOT NULL,
    "kind" "ListingKind" NOT NULL,
    "status" VARCHAR(32) NOT NULL,
    "price_per_night" DECIMAL(12,2),
    "currency" CHAR(3) NOT NULL,
    "max_guests" INTEGER,
    "time_zone" VARCHAR(64) NOT NULL,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,
    "deleted_at" TIMESTAMPTZ(3),

    CONSTRAINT "listing_snapshots_pkey" PRIMARY KEY ("listing_id")
);

-- CreateTable
CREATE TABLE "stays" (
    "id" UUID NOT NULL,
    "listing_id" UUID NOT NULL,
    "guest_id" UUID NOT NULL,
    "check_in" DATE NOT NULL,
    "check_out" DATE NOT NULL,
    "nights" INTEGER NOT NULL,
    "guests" INTEGER NOT NULL,
    "total_price" DECIMAL(16,2) NOT NULL,
    "currency" CHAR(3) NOT NULL,
    "status" "StayStatus" NOT NULL DEFAULT 'REQUESTED',
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "stays_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "viewing_appointments" (
    "id" UUID NOT NULL,
    "listing_id" UUID NOT NULL,
    "buyer_id" UUID NOT NULL,
    "agent_id" UUID NOT NULL,
    "starts_at" TIMESTAMPTZ(3) NOT NULL,
    "ends_at" TIMESTAMPTZ(3) NOT NULL,
    "status" "ViewingStatus" NOT NULL DEFAULT 'PENDING',
    "note" VARCHAR(1000),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "viewing_appointments_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "outbox_events" (
    "id" UUID NOT NULL,
    "type" VARCHAR(100) NOT NULL,
    "version" INTEGER NOT NULL,
    "aggregate_id" VARCHAR(100) NOT NULL,
    "payload" JSONB NOT NULL,
    "occurred_at" TIMESTAMPTZ(3) NOT NULL,
    "published_at" TIMESTAMPTZ(3),

    CONSTRAINT "outbox_events_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "inbox_events" (
    "consumer" VARCHAR(100) NOT NULL,
    "event_id" UUID NOT NULL,
    "handled_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "inbox_events_pkey" PRIMARY KEY ("consumer","event_id")
);

-- CreateIndex
CREATE INDEX "listing_snapshots_owner_id_idx" ON "listing_snapshots"("owner_id");

-- CreateIndex
CREATE INDEX "stays_listing_id_check_in_idx" ON "stays"("listing_id", "check_in");

-- CreateIndex
CREATE INDEX "stays_guest_id_check_in_idx" ON "stays"("guest_id", "check_in");

-- CreateIndex
CREATE INDEX "viewing_appointments_listing_id_starts_at_idx" ON "viewing_appointments"("listing_id", "starts_at");

-- CreateIndex
CREATE INDEX "viewing_appointments_buyer_id_starts_at_idx" ON "viewing_appointments"("buyer_id", "starts_at");

-- CreateIndex
CREATE INDEX "viewing_appointments_agent_id_starts_at_idx" ON "viewing_appointments"("agent_id", "starts_at");

-- CreateIndex
CREATE INDEX "outbox_events_published_at_occurred_at_idx" ON "outbox_events"("published_at", "occurred_at");

-- AddForeignKey
ALTER TABLE "stays" ADD CONSTRAINT "stays_listing_id_fkey" FOREIGN KEY ("listing_id") REFERENCES "listing_snapshots"("listing_id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "viewing_appointments" ADD CONSTRAINT "viewing_appointments_listing_id_fkey" FOREIGN KEY ("listing_id") REFERENCES "listing_snapshots"("listing_id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- Written by hand (Prisma cannot express these): the rules that keep bookings true live in the database.

-- btree_gist lets a GiST index compare plain columns (listing_id, agent_id) with `=` next to ranges.
CREATE EXTENSION IF NOT EXISTS btree_gist;

-- A stay covers the nights [check_in, check_out); it lasts at least one night and hosts someone.
ALTER TABLE "stays" ADD CONSTRAINT "stays_check_out_after_check_in" CHECK ("check_out" > "check_in");
ALTER TABLE "stays" ADD CONSTRAINT "stays_nights_match_dates" CHECK ("nights" = "check_out" - "check_in");
ALTER TABLE "stays" ADD CONSTRAINT "stays_guests_positive" CHECK ("guests" > 0);
ALTER TABLE "stays" ADD CONSTRAINT "stays_total_price_not_negative" CHECK ("total_price" >= 0);

-- No double booking: two live stays (REQUESTED or CONFIRMED) of one listing never share a night.
-- Half-open ranges, so one stay's check-out day can be the next one's check-in day.
ALTER TABLE "stays" ADD CONSTRAINT "stays_no_overlapping_live_stays"
  EXCLUDE USING gist ("listing_id" WITH =, daterange("check_in", "check_out", '[)') WITH &&)
  WHERE ("status" IN ('REQUESTED', 'CONFIRMED'));

-- A viewing lasts a positive time, and an agent's confirmed viewings never overlap.
ALTER TABLE "viewing_appointments" ADD CONSTRAINT "viewing_appointments_ends_after_start" CHECK ("ends_at" > "starts_at");
ALTER TABLE "viewing_appointments" ADD CONSTRAINT "viewing_appointments_no_overlapping_confirmed"
  EXCLUDE USING gist ("agent_id" WITH =, tstzrange("starts_at", "ends_at", '[)') WITH &&)
  WHERE ("status" = 'CONFIRMED');
