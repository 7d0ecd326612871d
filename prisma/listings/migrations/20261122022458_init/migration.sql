-- CreateSchema
CREATE SCHEMA IF NOT EXISTS "public";

-- CreateEnum
CREATE TYPE "ListingKind" AS ENUM ('SALE', 'RENT');

-- CreateEnum
CREATE TYPE "PropertyType" AS ENUM ('HOUSE', 'APARTMENT', 'CONDO', 'TOWNHOUSE', 'LAND', 'COMMERCIAL', 'ROOM');

-- CreateEnum
CREATE TYPE "ListingStatus" AS ENUM ('DRAFT', 'ACTIVE', 'UNDER_OFFER', 'SOLD', 'RENTED', 'ARCHIVED');

-- CreateTable
CREATE TABLE "listings" (
    "id" UUID NOT NULL,
    "owner_id" UUID NOT NULL,
    "title" VARCHAR(160) NOT NULL,
    "description" TEXT NOT NULL,
    "kind" "ListingKind" NOT NULL,
    "property_type" "PropertyType" NOT NULL,
    "price" DECIMAL(12,2),
    "currency" CHAR(3) NOT NULL DEFAULT 'USD',
    "address_line1" VARCHAR(200) NOT NULL,
    "address_line2" VARCHAR(200),
    "city" VARCHAR(120) NOT NULL,
    "region" VARCHAR(120),
    "country" CHAR(2) NOT NULL,
    "zip_code" VARCHAR(20),
    "bedrooms" INTEGER NOT NULL DEFAULT 0,
    "bathrooms" INTEGER NOT NULL DEFAULT 0,
    "toilets" INTEGER NOT NULL DEFAULT 0,
    "latitude" DOUBLE PRECISION NOT NULL,
    "longitude" DOUBLE PRECISION NOT NULL,
    "images" TEXT[] DEFAULT ARRAY[]::TEXT[],
    "status" "ListingStatus" NOT NULL DEFAULT 'DRAFT',
    "price_per_night" DECIMAL(12,2),
    "max_guests" INTEGER,
    "time_zone" VARCHAR(64) NOT NULL DEFAULT 'UTC',
    "cleaning_fee" DECIMAL(12,2),
    "min_nights" INTEGER,
    "max_nights" INTEGER,
    "instant_book" BOOLEAN NOT NULL DEFAULT false,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "listings_pkey" PRIMARY KEY ("id")
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
CREATE INDEX "listings_owner_id_created_at_id_idx" ON "listings"("owner_id", "created_at" DESC, "id" DESC);

-- CreateIndex
CREATE INDEX "listings_status_created_at_id_idx" ON "listings"("status", "created_at" DESC, "id" DESC);

-- CreateIndex
CREATE INDEX "outbox_events_published_at_occurred_at_idx" ON "outbox_events"("published_at", "occurred_at");

-- Written by hand: rules Prisma cannot express. The service enforces the same rules with clear
-- messages; these keep the data true against any other writer.
ALTER TABLE "listings"
  ADD CONSTRAINT "listings_price_non_negative" CHECK ("price" >= 0),
  ADD CONSTRAINT "listings_price_per_night_non_negative" CHECK ("price_per_night" >= 0),
  ADD CONSTRAINT "listings_cleaning_fee_non_negative" CHECK ("cleaning_fee" >= 0),
  ADD CONSTRAINT "listings_rooms_non_negative" CHECK ("bedrooms" >= 0 AND "bathrooms" >= 0 AND "toilets" >= 0),
  ADD CONSTRAINT "listings_max_guests_positive" CHECK ("max_guests" >= 1),
  ADD CONSTRAINT "listings_nights_valid" CHECK ("min_nights" >= 1 AND "max_nights" >= 1 AND "min_nights" <= "max_nights"),
  ADD CONSTRAINT "listings_latitude_range" CHECK ("latitude" BETWEEN -90 AND 90),
  ADD CONSTRAINT "listings_longitude_range" CHECK ("longitude" BETWEEN -180 AND 180),
  ADD CONSTRAINT "listings_images_at_most_30" CHECK ("images" IS NOT NULL AND cardinality("images") <= 30),
  ADD CONSTRAINT "listings_currency_iso_4217" CHECK ("currency" ~ '^[A-Z]{3}$'),
  ADD CONSTRAINT "listings_country_iso_3166" CHECK ("country" ~ '^[A-Z]{2}$'),
  ADD CONSTRAINT "listings_sale_needs_price" CHECK ("kind" <> 'SALE' OR "price" IS NOT NULL),
  ADD CONSTRAINT "listings_rent_needs_price_per_night" CHECK ("kind" <> 'RENT' OR "price_per_night" IS NOT NULL),
  ADD CONSTRAINT "listings_rent_needs_max_guests" CHECK ("kind" <> 'RENT' OR "max_guests" IS NOT NULL),
  ADD CONSTRAINT "listings_rent_has_no_sale_price" CHECK ("kind" <> 'RENT' OR "price" IS NULL),
  ADD CONSTRAINT "listings_rental_fields_on_rent_only" CHECK (
    "kind" = 'RENT' OR (
      "price_per_night" IS NULL AND "max_guests" IS NULL AND "cleaning_fee" IS NULL
      AND "min_nights" IS NULL AND "max_nights" IS NULL AND NOT "instant_book"
    )
  ),
  ADD CONSTRAINT "listings_sold_is_sale" CHECK ("status" <> 'SOLD' OR "kind" = 'SALE'),
  ADD CONSTRAINT "listings_rented_is_rent" CHECK ("status" <> 'RENTED' OR "kind" = 'RENT');
