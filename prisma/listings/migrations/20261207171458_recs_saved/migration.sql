-- CreateEnum
CREATE TYPE "SavedSearchAlert" AS ENUM ('INSTANT', 'DAILY', 'OFF');

-- CreateTable
CREATE TABLE "saved_listings" (
    "user_id" UUID NOT NULL,
    "listing_id" UUID NOT NULL,
    "saved_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "saved_listings_pkey" PRIMARY KEY ("user_id","listing_id")
);

-- CreateTable
CREATE TABLE "saved_searches" (
    "id" UUID NOT NULL,
    "user_id" UUID NOT NULL,
    "name" VARCHAR(120),
    "query" VARCHAR(500),
    "filter" JSONB NOT NULL,
    "alert" "SavedSearchAlert" NOT NULL,
    "kind" "ListingKind",
    "property_type" "PropertyType",
    "city_key" VARCHAR(120),
    "min_amount" DECIMAL(12,2),
    "max_amount" DECIMAL(12,2),
    "min_bedrooms" INTEGER,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "next_digest_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "saved_searches_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "saved_search_matches" (
    "saved_search_id" UUID NOT NULL,
    "listing_id" UUID NOT NULL,
    "matched_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "digested_at" TIMESTAMPTZ(3),

    CONSTRAINT "saved_search_matches_pkey" PRIMARY KEY ("saved_search_id","listing_id")
);

-- CreateIndex
CREATE INDEX "saved_listings_user_id_saved_at_listing_id_idx" ON "saved_listings"("user_id", "saved_at" DESC, "listing_id" DESC);

-- CreateIndex
CREATE INDEX "saved_listings_listing_id_idx" ON "saved_listings"("listing_id");

-- CreateIndex
CREATE INDEX "saved_searches_user_id_created_at_idx" ON "saved_searches"("user_id", "created_at");

-- CreateIndex
CREATE INDEX "saved_searches_city_key_idx" ON "saved_searches"("city_key");

-- CreateIndex
CREATE INDEX "saved_searches_alert_next_digest_at_idx" ON "saved_searches"("alert", "next_digest_at");

-- CreateIndex
CREATE INDEX "saved_search_matches_listing_id_idx" ON "saved_search_matches"("listing_id");

-- CreateIndex
CREATE INDEX "saved_search_matches_saved_search_id_digested_at_idx" ON "saved_search_matches"("saved_search_id", "digested_at");

-- AddForeignKey
ALTER TABLE "saved_listings" ADD CONSTRAINT "saved_listings_listing_id_fkey" FOREIGN KEY ("listing_id") REFERENCES "listings"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "saved_search_matches" ADD CONSTRAINT "saved_search_matches_saved_search_id_fkey" FOREIGN KEY ("saved_search_id") REFERENCES "saved_searches"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "saved_search_matches" ADD CONSTRAINT "saved_search_matches_listing_id_fkey" FOREIGN KEY ("listing_id") REFERENCES "listings"("id") ON DELETE CASCADE ON UPDATE CASCADE;
