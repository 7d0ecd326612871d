-- AlterTable
ALTER TABLE "known_listings" ADD COLUMN     "version" INTEGER;

-- Written by hand (Prisma cannot express it): listings numbers versions from 1.
ALTER TABLE "known_listings" ADD CONSTRAINT "known_listings_version_positive" CHECK ("version" >= 1);
