-- CreateTable
CREATE TABLE "listing_price_changes" (
    "id" BIGSERIAL NOT NULL,
    "listing_id" UUID NOT NULL,
    "kind" "ListingKind" NOT NULL,
    "price" DECIMAL(12,2),
    "price_per_night" DECIMAL(12,2),
    "currency" CHAR(3) NOT NULL,
    "changed_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "listing_price_changes_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "listing_price_changes_listing_id_changed_at_id_idx" ON "listing_price_changes"("listing_id", "changed_at", "id");

-- AddForeignKey
ALTER TABLE "listing_price_changes" ADD CONSTRAINT "listing_price_changes_listing_id_fkey" FOREIGN KEY ("listing_id") REFERENCES "listings"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- Hand-written: listings that existed before price history start with the price they have now.
INSERT INTO "listing_price_changes" ("listing_id", "kind", "price", "price_per_night", "currency", "changed_at")
SELECT "id", "kind", "price", "price_per_night", "currency", "created_at" FROM "listings";
