-- AlterTable
ALTER TABLE "instances" ADD COLUMN     "delete_volume" BOOLEAN NOT NULL DEFAULT false,
ADD COLUMN     "downtime_ms" BIGINT NOT NULL DEFAULT 0,
ADD COLUMN     "released_at" TIMESTAMPTZ(3),
ADD COLUMN     "status_changed_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
ADD COLUMN     "uptime_ms" BIGINT NOT NULL DEFAULT 0;

-- CreateIndex
CREATE INDEX "instances_host_status_idx" ON "instances"("host", "status");

-- Written by hand: what Prisma's schema language cannot say.

-- Rows from before the runtime: their status began at their last change, and a removed one never
-- had a process or container to release.
UPDATE "instances" SET "status_changed_at" = "updated_at";
UPDATE "instances" SET "released_at" = "removed_at" WHERE "status" = 'REMOVED';

ALTER TABLE "instances"
  ADD CONSTRAINT "instances_uptime_not_negative" CHECK ("uptime_ms" >= 0),
  ADD CONSTRAINT "instances_downtime_not_negative" CHECK ("downtime_ms" >= 0),
  ADD CONSTRAINT "instances_released_only_when_removed" CHECK ("released_at" IS NULL OR "status" = 'REMOVED'),
  ADD CONSTRAINT "instances_failed_has_reason" CHECK ("status" <> 'FAILED' OR "failure_reason" IS NOT NULL);

-- The reconciler looks for removed instances whose process, container or volume is still to release.
CREATE INDEX "instances_unreleased_idx" ON "instances" ("host") WHERE "status" = 'REMOVED' AND "released_at" IS NULL;
