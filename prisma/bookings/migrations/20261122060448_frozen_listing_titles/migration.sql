-- AlterTable
ALTER TABLE "stays" ADD COLUMN     "listing_title" VARCHAR(160) NOT NULL DEFAULT '';

-- AlterTable
ALTER TABLE "viewing_appointments" ADD COLUMN     "listing_title" VARCHAR(160) NOT NULL DEFAULT '';

-- Stays and viewings booked before this migration keep the title bookings knows now (hand-written).
UPDATE "stays" AS s SET "listing_title" = l."title" FROM "listing_snapshots" AS l WHERE l."listing_id" = s."listing_id";
UPDATE "viewing_appointments" AS v SET "listing_title" = l."title" FROM "listing_snapshots" AS l WHERE l."listing_id" = v."listing_id";
