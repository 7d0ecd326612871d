-- AlterTable
ALTER TABLE "listings" ADD COLUMN     "version" INTEGER NOT NULL DEFAULT 1;

-- Added by hand: versions count changes from 1.
ALTER TABLE "listings" ADD CONSTRAINT "listings_version_positive" CHECK ("version" >= 1);
