-- AlterEnum
ALTER TYPE "StayStatus" ADD VALUE 'EXPIRED';

-- AlterTable
ALTER TABLE "idempotency_keys" ADD COLUMN     "viewing_id" UUID,
ALTER COLUMN "stay_id" DROP NOT NULL;

-- AlterTable
ALTER TABLE "stays" ADD COLUMN     "respond_by" TIMESTAMPTZ(3);

-- CreateIndex
CREATE INDEX "idempotency_keys_created_at_idx" ON "idempotency_keys"("created_at");

-- CreateIndex
CREATE INDEX "viewing_slots_agent_id_idx" ON "viewing_slots"("agent_id");

-- Written by hand (Prisma cannot express these).

-- Requests already waiting get the default window (24 hours from booking), never past the start of
-- the check-in day at the listing, or for a request made on that day, its end (as the service does;
-- UTC when PostgreSQL does not know the listing's zone).
WITH waiting AS (
  SELECT s."id", s."created_at",
    s."check_in"::timestamp AT TIME ZONE z.tz AS check_in_starts,
    (s."check_in" + 1)::timestamp AT TIME ZONE z.tz AS check_in_ends
  FROM "stays" AS s
  JOIN "listing_snapshots" AS l ON l."listing_id" = s."listing_id"
  CROSS JOIN LATERAL (
    SELECT CASE WHEN EXISTS (SELECT 1 FROM pg_timezone_names n WHERE n.name = l."time_zone") THEN l."time_zone" ELSE 'UTC' END AS tz
  ) AS z
  WHERE s."status" = 'REQUESTED'
)
UPDATE "stays" AS s
SET "respond_by" = LEAST(
  w."created_at" + interval '24 hours',
  CASE WHEN w.check_in_starts > w."created_at" THEN w.check_in_starts ELSE w.check_in_ends END)
FROM waiting AS w
WHERE s."id" = w."id";

-- Every request has a deadline for the host's answer.
ALTER TABLE "stays" ADD CONSTRAINT "stays_requested_has_respond_by" CHECK ("status" <> 'REQUESTED' OR "respond_by" IS NOT NULL);

-- What the scheduler asks for: REQUESTED stays past their deadline, soonest first.
CREATE INDEX "stays_requested_respond_by_idx" ON "stays" ("respond_by") WHERE "status" = 'REQUESTED';

-- A key produced exactly one stay or one viewing.
ALTER TABLE "idempotency_keys" ADD CONSTRAINT "idempotency_keys_one_result" CHECK (num_nonnulls("stay_id", "viewing_id") = 1);
