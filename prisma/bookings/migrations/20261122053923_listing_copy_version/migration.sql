-- AlterTable
ALTER TABLE "listing_snapshots" ADD COLUMN     "version" INTEGER;

-- Written by hand (Prisma cannot express it): listings numbers versions from 1.
ALTER TABLE "listing_snapshots" ADD CONSTRAINT "listing_snapshots_version_positive" CHECK ("version" >= 1);
