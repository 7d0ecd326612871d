-- Written by hand: typo-tolerant search expands query words with levenshtein_less_equal, from
-- fuzzystrmatch (a trusted extension: the database owner may create it).
CREATE EXTENSION IF NOT EXISTS fuzzystrmatch;

-- AlterTable
ALTER TABLE "listings" ADD COLUMN     "amenities" TEXT[] DEFAULT ARRAY[]::TEXT[],
ADD COLUMN     "area_sqm" INTEGER,
ADD COLUMN     "neighbourhood" VARCHAR(120);

-- Written by hand: the input rules, kept by the database too.
ALTER TABLE "listings"
  ADD CONSTRAINT "listings_amenities_check" CHECK ("amenities" IS NULL OR cardinality("amenities") <= 40),
  ADD CONSTRAINT "listings_area_sqm_check" CHECK ("area_sqm" IS NULL OR "area_sqm" BETWEEN 1 AND 1000000);

-- Written by hand: listing_search is derived data, rebuilt below, so it is emptied before columns
-- that every row needs are added.
TRUNCATE "listing_search";

-- DropIndex
DROP INDEX "listing_search_trigram_text_idx";

-- AlterTable
ALTER TABLE "listing_search" DROP COLUMN "trigram_text",
DROP COLUMN "description",
ADD COLUMN     "amenities" TEXT[],
ADD COLUMN     "amenity_bits" INTEGER NOT NULL,
ADD COLUMN     "amount" DECIMAL(12,2) NOT NULL,
ADD COLUMN     "area_sqm" INTEGER,
ADD COLUMN     "city_key" VARCHAR(120) COLLATE "C" NOT NULL,
ADD COLUMN     "instant_book" BOOLEAN NOT NULL,
ADD COLUMN     "max_guests" INTEGER,
ADD COLUMN     "neighbourhood" VARCHAR(120),
ADD COLUMN     "neighbourhood_key" VARCHAR(120) COLLATE "C",
ADD COLUMN     "title_key" VARCHAR(160) COLLATE "C" NOT NULL,
ADD COLUMN     "zip_key" VARCHAR(20);

-- CreateTable
CREATE TABLE "listing_search_terms" (
    "term" TEXT NOT NULL,
    "first_char" TEXT NOT NULL,
    "length" INTEGER NOT NULL,

    CONSTRAINT "listing_search_terms_pkey" PRIMARY KEY ("term")
);

-- CreateIndex
CREATE INDEX "listing_search_terms_first_char_length_idx" ON "listing_search_terms"("first_char", "length");

-- CreateIndex
CREATE INDEX "listing_search_amount_listing_id_idx" ON "listing_search"("amount", "listing_id");

-- CreateIndex
CREATE INDEX "listing_search_kind_amount_listing_id_idx" ON "listing_search"("kind", "amount", "listing_id");

-- CreateIndex
CREATE INDEX "listing_search_kind_bedrooms_amount_idx" ON "listing_search"("kind", "bedrooms", "amount");

-- CreateIndex
CREATE INDEX "listing_search_property_type_idx" ON "listing_search"("property_type");

-- CreateIndex
CREATE INDEX "listing_search_city_key_city_idx" ON "listing_search"("city_key", "city");

-- CreateIndex
CREATE INDEX "listing_search_city_key_amount_idx" ON "listing_search"("city_key", "amount");

-- CreateIndex
CREATE INDEX "listing_search_neighbourhood_key_neighbourhood_idx" ON "listing_search"("neighbourhood_key", "neighbourhood");

-- CreateIndex
CREATE INDEX "listing_search_title_key_title_idx" ON "listing_search"("title_key", "title");

-- CreateIndex
CREATE INDEX "listing_search_zip_key_idx" ON "listing_search"("zip_key");

-- CreateIndex
CREATE INDEX "listing_search_amenities_idx" ON "listing_search" USING GIN ("amenities");

-- CreateIndex
CREATE INDEX "listing_search_facets_idx" ON "listing_search"("kind", "property_type", "bedrooms", "amount", "amenity_bits");

-- Written by hand: refill from the listings ACTIVE today, so search answers before the first event.
-- The words and keys approximate search/text.ts (which also folds accents): run `npm run reindex`
-- after deploying for the exact ones.
INSERT INTO "listing_search" (
  "listing_id", "title", "kind", "property_type", "status", "price", "price_per_night", "amount",
  "currency", "city", "city_key", "neighbourhood", "neighbourhood_key", "title_key", "country", "zip_code", "zip_key",
  "bedrooms", "bathrooms", "area_sqm", "max_guests", "instant_book", "amenities", "amenity_bits", "latitude", "longitude",
  "owner_id", "created_at", "updated_at", "document"
)
SELECT
  "id", "title", "kind", "property_type", "status", "price", "price_per_night",
  coalesce("price", "price_per_night", 0),
  "currency", "city", lower(regexp_replace(trim("city"), '\s+', ' ', 'g')), "neighbourhood",
  lower(regexp_replace(trim("neighbourhood"), '\s+', ' ', 'g')), lower(regexp_replace(trim("title"), '\s+', ' ', 'g')),
  "country", "zip_code", upper(regexp_replace("zip_code", '[\s-]+', '', 'g')),
  "bedrooms", "bathrooms", "area_sqm", "max_guests", "instant_book", coalesce("amenities", ARRAY[]::TEXT[]),
  -- The bit of each amenity: its position in the domain's AMENITIES list.
  (SELECT coalesce(sum(1 << (array_position(ARRAY['WIFI', 'KITCHEN', 'WASHER', 'DRYER', 'DISHWASHER', 'AIR_CONDITIONING',
      'HEATING', 'FIREPLACE', 'PARKING', 'GARAGE', 'ELEVATOR', 'POOL', 'GARDEN', 'BALCONY', 'TERRACE', 'SEA_VIEW', 'GYM',
      'WORKSPACE', 'PETS_ALLOWED', 'WHEELCHAIR_ACCESSIBLE'], a) - 1)), 0)::int FROM unnest("amenities") AS a),
  "latitude", "longitude", "owner_id", "created_at", "updated_at",
  setweight(to_tsvector('simple', regexp_replace(lower("title"), '[^[:alnum:]]+', ' ', 'g')), 'A')
    || setweight(to_tsvector('simple', regexp_replace(lower(concat_ws(' ', "city", "neighbourhood", "address_line1", "address_line2", "zip_code")), '[^[:alnum:]]+', ' ', 'g')), 'B')
    || setweight(to_tsvector('simple', regexp_replace(lower("description"), '[^[:alnum:]]+', ' ', 'g')), 'C')
FROM "listings"
WHERE "status" = 'ACTIVE';

INSERT INTO "listing_search_terms" ("term", "first_char", "length")
SELECT "word", left("word", 1), char_length("word") FROM ts_stat('SELECT "document" FROM "listing_search"')
ON CONFLICT ("term") DO NOTHING;
