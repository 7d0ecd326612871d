-- CreateEnum
CREATE TYPE "CancellationPolicy" AS ENUM ('FLEXIBLE', 'MODERATE', 'STRICT');

-- AlterTable
ALTER TABLE "listings" ADD COLUMN     "cancellation_policy" "CancellationPolicy",
ADD COLUMN     "monthly_discount_percent" INTEGER,
ADD COLUMN     "weekly_discount_percent" INTEGER;

-- Rentals listed before these terms existed get the default policy (absent in their events meant MODERATE too).
UPDATE "listings" SET "cancellation_policy" = 'MODERATE' WHERE "kind" = 'RENT' AND "cancellation_policy" IS NULL;

-- Added by hand (Prisma cannot express CHECK constraints): discounts are whole percents, a monthly
-- discount is never below the weekly one (a 28-night stay also qualifies for the weekly one), and the
-- rental terms exist on RENT listings only, where the cancellation policy is required. (PostgreSQL
-- checks constraints in name order: "listings_rental_..." comes after the init migration's
-- "listings_rent_needs_...", so a RENT row missing its price still reports that first.)
ALTER TABLE "listings"
  ADD CONSTRAINT "listings_weekly_discount_percent_range" CHECK ("weekly_discount_percent" BETWEEN 0 AND 100),
  ADD CONSTRAINT "listings_monthly_discount_percent_range" CHECK ("monthly_discount_percent" BETWEEN 0 AND 100),
  ADD CONSTRAINT "listings_monthly_discount_not_below_weekly" CHECK ("monthly_discount_percent" >= "weekly_discount_percent"),
  ADD CONSTRAINT "listings_rental_needs_cancellation_policy" CHECK ("kind" <> 'RENT' OR "cancellation_policy" IS NOT NULL),
  ADD CONSTRAINT "listings_rental_terms_on_rent_only" CHECK (
    "kind" = 'RENT' OR (
      "weekly_discount_percent" IS NULL AND "monthly_discount_percent" IS NULL AND "cancellation_policy" IS NULL
    )
  );
