-- CreateEnum
CREATE TYPE "CancellationPolicy" AS ENUM ('FLEXIBLE', 'MODERATE', 'STRICT');

-- CreateEnum
CREATE TYPE "CalendarHoldKind" AS ENUM ('STAY', 'BLOCK');

-- AlterTable
ALTER TABLE "listing_snapshots" ADD COLUMN     "cancellation_policy" "CancellationPolicy" NOT NULL DEFAULT 'MODERATE',
ADD COLUMN     "cleaning_fee" DECIMAL(12,2),
ADD COLUMN     "instant_book" BOOLEAN NOT NULL DEFAULT false,
ADD COLUMN     "max_nights" INTEGER,
ADD COLUMN     "min_nights" INTEGER,
ADD COLUMN     "monthly_discount_percent" INTEGER,
ADD COLUMN     "title" VARCHAR(160) NOT NULL DEFAULT '',
ADD COLUMN     "weekly_discount_percent" INTEGER;

-- AlterTable (edited by hand: the new NOT NULL columns are added empty, backfilled, then required,
-- so the migration also runs on a database that already has stays)
ALTER TABLE "stays" ADD COLUMN     "cancellation_policy" "CancellationPolicy",
ADD COLUMN     "cancelled_at" TIMESTAMPTZ(3),
ADD COLUMN     "cancelled_by_id" UUID,
ADD COLUMN     "cleaning_fee" DECIMAL(12,2),
ADD COLUMN     "discount_amount" DECIMAL(16,2),
ADD COLUMN     "discount_percent" INTEGER,
ADD COLUMN     "nightly_rate" DECIMAL(12,2),
ADD COLUMN     "nightly_subtotal" DECIMAL(16,2),
ADD COLUMN     "refund_amount" DECIMAL(16,2);

-- Stays booked before the breakdown existed were priced nights × nightly rate, with no fee or discount.
UPDATE "stays" SET
  "cancellation_policy" = 'MODERATE',
  "cleaning_fee" = 0,
  "discount_amount" = 0,
  "discount_percent" = 0,
  "nightly_subtotal" = "total_price",
  "nightly_rate" = round("total_price" / "nights", 2);

ALTER TABLE "stays" ALTER COLUMN "cancellation_policy" SET NOT NULL,
ALTER COLUMN "cleaning_fee" SET NOT NULL,
ALTER COLUMN "discount_amount" SET NOT NULL,
ALTER COLUMN "discount_percent" SET NOT NULL,
ALTER COLUMN "nightly_rate" SET NOT NULL,
ALTER COLUMN "nightly_subtotal" SET NOT NULL;

-- AlterTable
ALTER TABLE "viewing_appointments" ADD COLUMN     "slot_id" UUID;

-- CreateTable
CREATE TABLE "viewing_slots" (
    "id" UUID NOT NULL,
    "listing_id" UUID NOT NULL,
    "agent_id" UUID NOT NULL,
    "starts_at" TIMESTAMPTZ(3) NOT NULL,
    "ends_at" TIMESTAMPTZ(3) NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "viewing_slots_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "calendar_holds" (
    "id" UUID NOT NULL,
    "listing_id" UUID NOT NULL,
    "kind" "CalendarHoldKind" NOT NULL,
    "starts_on" DATE NOT NULL,
    "ends_on" DATE NOT NULL,
    "stay_id" UUID,
    "reason" VARCHAR(200),
    "created_by_id" UUID NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "calendar_holds_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "scheduled_events" (
    "id" UUID NOT NULL,
    "type" VARCHAR(100) NOT NULL,
    "aggregate_id" VARCHAR(100) NOT NULL,
    "payload" JSONB NOT NULL,
    "due_at" TIMESTAMPTZ(3) NOT NULL,
    "subject_id" UUID NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "scheduled_events_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "idempotency_keys" (
    "caller_id" UUID NOT NULL,
    "key" VARCHAR(200) NOT NULL,
    "request_hash" CHAR(64) NOT NULL,
    "stay_id" UUID NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "idempotency_keys_pkey" PRIMARY KEY ("caller_id","key")
);

-- CreateIndex
CREATE INDEX "viewing_slots_listing_id_starts_at_idx" ON "viewing_slots"("listing_id", "starts_at");

-- CreateIndex
CREATE UNIQUE INDEX "calendar_holds_stay_id_key" ON "calendar_holds"("stay_id");

-- CreateIndex
CREATE INDEX "calendar_holds_listing_id_starts_on_idx" ON "calendar_holds"("listing_id", "starts_on");

-- CreateIndex
CREATE INDEX "scheduled_events_due_at_idx" ON "scheduled_events"("due_at");

-- CreateIndex
CREATE INDEX "scheduled_events_subject_id_idx" ON "scheduled_events"("subject_id");

-- CreateIndex
CREATE INDEX "listing_snapshots_kind_status_idx" ON "listing_snapshots"("kind", "status");

-- CreateIndex
CREATE INDEX "viewing_appointments_slot_id_idx" ON "viewing_appointments"("slot_id");

-- AddForeignKey
ALTER TABLE "viewing_appointments" ADD CONSTRAINT "viewing_appointments_slot_id_fkey" FOREIGN KEY ("slot_id") REFERENCES "viewing_slots"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "viewing_slots" ADD CONSTRAINT "viewing_slots_listing_id_fkey" FOREIGN KEY ("listing_id") REFERENCES "listing_snapshots"("listing_id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "calendar_holds" ADD CONSTRAINT "calendar_holds_listing_id_fkey" FOREIGN KEY ("listing_id") REFERENCES "listing_snapshots"("listing_id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "calendar_holds" ADD CONSTRAINT "calendar_holds_stay_id_fkey" FOREIGN KEY ("stay_id") REFERENCES "stays"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- Written by hand (Prisma cannot express these).

-- The price breakdown adds up, and a refund belongs to a cancelled stay and never exceeds what was paid.
ALTER TABLE "stays" ADD CONSTRAINT "stays_breakdown_not_negative"
  CHECK ("nightly_rate" >= 0 AND "nightly_subtotal" >= 0 AND "cleaning_fee" >= 0 AND "discount_amount" >= 0);
ALTER TABLE "stays" ADD CONSTRAINT "stays_discount_percent_range" CHECK ("discount_percent" BETWEEN 0 AND 100);
ALTER TABLE "stays" ADD CONSTRAINT "stays_total_adds_up"
  CHECK ("total_price" = "nightly_subtotal" - "discount_amount" + "cleaning_fee");
ALTER TABLE "stays" ADD CONSTRAINT "stays_refund_when_cancelled"
  CHECK ("refund_amount" IS NULL OR ("status" = 'CANCELLED' AND "refund_amount" BETWEEN 0 AND "total_price"));

ALTER TABLE "listing_snapshots" ADD CONSTRAINT "listing_snapshots_discounts_range"
  CHECK (coalesce("weekly_discount_percent", 0) BETWEEN 0 AND 100 AND coalesce("monthly_discount_percent", 0) BETWEEN 0 AND 100);

-- The calendar: a listing's holds (live stays and host blocks) never share a night. Half-open
-- ranges, so a stay may start on the day a block or another stay ends. A booking inserts its stay
-- and its hold in one transaction, so a stay over a blocked night fails here, race-free.
ALTER TABLE "calendar_holds" ADD CONSTRAINT "calendar_holds_ends_after_start" CHECK ("ends_on" > "starts_on");
ALTER TABLE "calendar_holds" ADD CONSTRAINT "calendar_holds_stay_iff_kind_stay" CHECK (("kind" = 'STAY') = ("stay_id" IS NOT NULL));
ALTER TABLE "calendar_holds" ADD CONSTRAINT "calendar_holds_no_overlap"
  EXCLUDE USING gist ("listing_id" WITH =, daterange("starts_on", "ends_on", '[)') WITH &&);

-- Stays already live hold their nights.
INSERT INTO "calendar_holds" ("id", "listing_id", "kind", "starts_on", "ends_on", "stay_id", "created_by_id", "created_at")
SELECT gen_random_uuid(), "listing_id", 'STAY', "check_in", "check_out", "id", "guest_id", "created_at"
FROM "stays" WHERE "status" IN ('REQUESTED', 'CONFIRMED');

-- An agent's published slots of one listing never overlap, and each lasts a positive time.
ALTER TABLE "viewing_slots" ADD CONSTRAINT "viewing_slots_ends_after_start" CHECK ("ends_at" > "starts_at");
ALTER TABLE "viewing_slots" ADD CONSTRAINT "viewing_slots_no_overlap"
  EXCLUDE USING gist ("listing_id" WITH =, tstzrange("starts_at", "ends_at", '[)') WITH &&);

-- A slot is taken by at most one live (PENDING or CONFIRMED) viewing; concurrent requests for it
-- cannot both succeed.
CREATE UNIQUE INDEX "viewing_appointments_one_live_per_slot" ON "viewing_appointments" ("slot_id")
  WHERE "status" IN ('PENDING', 'CONFIRMED');

-- Only bookings' own events wait here.
ALTER TABLE "scheduled_events" ADD CONSTRAINT "scheduled_events_type_known" CHECK ("type" LIKE 'bookings.%');
