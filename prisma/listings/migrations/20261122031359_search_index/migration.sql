-- Written by hand: the trigram index below needs pg_trgm (a trusted extension: the database owner
-- may create it). Prisma cannot declare extensions without a preview feature.
CREATE EXTENSION IF NOT EXISTS pg_trgm;

-- CreateTable
CREATE TABLE "listing_search" (
    "listing_id" UUID NOT NULL,
    "title" VARCHAR(160) NOT NULL,
    "description" TEXT NOT NULL,
    "kind" "ListingKind" NOT NULL,
    "property_type" "PropertyType" NOT NULL,
    "status" "ListingStatus" NOT NULL,
    "price" DECIMAL(12,2),
    "price_per_night" DECIMAL(12,2),
    "currency" CHAR(3) NOT NULL,
    "city" VARCHAR(120) NOT NULL,
    "country" CHAR(2) NOT NULL,
    "zip_code" VARCHAR(20),
    "bedrooms" INTEGER NOT NULL,
    "bathrooms" INTEGER NOT NULL,
    "latitude" DOUBLE PRECISION NOT NULL,
    "longitude" DOUBLE PRECISION NOT NULL,
    "owner_id" UUID NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,
    "document" tsvector,
    "trigram_text" TEXT NOT NULL,

    CONSTRAINT "listing_search_pkey" PRIMARY KEY ("listing_id")
);

-- CreateIndex
CREATE INDEX "listing_search_document_idx" ON "listing_search" USING GIN ("document");

-- CreateIndex
CREATE INDEX "listing_search_trigram_text_idx" ON "listing_search" USING GIN ("trigram_text" gin_trgm_ops);

-- CreateIndex
CREATE INDEX "listing_search_created_at_listing_id_idx" ON "listing_search"("created_at" DESC, "listing_id" DESC);

-- CreateIndex
CREATE INDEX "listing_search_latitude_longitude_idx" ON "listing_search"("latitude", "longitude");

-- Written by hand: fill the table from the listings ACTIVE today, so search answers before the
-- first event or `npm run reindex`. The same columns and formula as buildUpsertSql in
-- subgraphs/listings/src/search/postgres/query.ts.
INSERT INTO "listing_search" (
  "listing_id", "title", "description", "kind", "property_type", "status", "price", "price_per_night",
  "currency", "city", "country", "zip_code", "bedrooms", "bathrooms", "latitude", "longitude",
  "owner_id", "created_at", "updated_at", "document", "trigram_text"
)
SELECT
  "id", "title", "description", "kind", "property_type", "status", "price", "price_per_night",
  "currency", "city", "country", "zip_code", "bedrooms", "bathrooms", "latitude", "longitude",
  "owner_id", "created_at", "updated_at",
  setweight(to_tsvector('simple', "title"), 'A') || setweight(to_tsvector('simple', "city"), 'B')
    || setweight(to_tsvector('simple', "description"), 'C'),
  "title" || ' ' || "city"
FROM "listings"
WHERE "status" = 'ACTIVE';
