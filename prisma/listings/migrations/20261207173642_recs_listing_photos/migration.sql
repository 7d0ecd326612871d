-- CreateEnum
CREATE TYPE "ListingPhotoStatus" AS ENUM ('PENDING', 'READY');

-- CreateTable
CREATE TABLE "listing_photos" (
    "id" UUID NOT NULL,
    "listing_id" UUID NOT NULL,
    "storage_key" VARCHAR(200) NOT NULL,
    "content_type" VARCHAR(40) NOT NULL,
    "size" INTEGER NOT NULL,
    "status" "ListingPhotoStatus" NOT NULL DEFAULT 'PENDING',
    "position" INTEGER,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "uploaded_at" TIMESTAMPTZ(3),

    CONSTRAINT "listing_photos_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "listing_photos_storage_key_key" ON "listing_photos"("storage_key");

-- CreateIndex
CREATE INDEX "listing_photos_listing_id_status_position_idx" ON "listing_photos"("listing_id", "status", "position");

-- AddForeignKey
ALTER TABLE "listing_photos" ADD CONSTRAINT "listing_photos_listing_id_fkey" FOREIGN KEY ("listing_id") REFERENCES "listings"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- Hand-written: READY photos have one position each, PENDING ones none.
ALTER TABLE "listing_photos" ADD CONSTRAINT "listing_photos_position" CHECK ((status = 'READY') = (position IS NOT NULL) AND (position IS NULL OR position >= 0));
CREATE UNIQUE INDEX "listing_photos_listing_position_key" ON "listing_photos" ("listing_id", "position") WHERE position IS NOT NULL;
