-- AlterTable
ALTER TABLE "known_listings" ADD COLUMN     "shown_title" TEXT;

-- A listing public now showed its current title; one hidden now has no known shown title (its
-- deletion notice then names no listing rather than risk a title set while it was hidden).
UPDATE "known_listings" SET "shown_title" = "title"
WHERE "deleted_at" IS NULL AND "status" IN ('ACTIVE', 'UNDER_OFFER', 'SOLD', 'RENTED');
