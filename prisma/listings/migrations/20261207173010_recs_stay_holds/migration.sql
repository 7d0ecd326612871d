-- CreateTable
CREATE TABLE "listing_stay_holds" (
    "stay_id" UUID NOT NULL,
    "listing_id" UUID NOT NULL,
    "check_in" DATE NOT NULL,
    "check_out" DATE NOT NULL,
    "released" BOOLEAN NOT NULL DEFAULT false,

    CONSTRAINT "listing_stay_holds_pkey" PRIMARY KEY ("stay_id")
);

-- CreateIndex
CREATE INDEX "listing_stay_holds_listing_id_check_in_check_out_idx" ON "listing_stay_holds"("listing_id", "check_in", "check_out");

-- AddForeignKey
ALTER TABLE "listing_stay_holds" ADD CONSTRAINT "listing_stay_holds_listing_id_fkey" FOREIGN KEY ("listing_id") REFERENCES "listings"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- Hand-written: a stay holds at least one night.
ALTER TABLE "listing_stay_holds" ADD CONSTRAINT "listing_stay_holds_nights" CHECK ("check_out" > "check_in");
