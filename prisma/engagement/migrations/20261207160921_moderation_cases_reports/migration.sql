-- CreateEnum
CREATE TYPE "moderation_source" AS ENUM ('AUTOMATIC', 'REPORTS', 'APPEAL', 'ADMIN');

-- CreateEnum
CREATE TYPE "moderation_case_status" AS ENUM ('OPEN', 'APPROVED', 'REMOVED');

-- AlterEnum
ALTER TYPE "post_status" ADD VALUE 'HELD';

-- AlterTable
ALTER TABLE "comments" ADD COLUMN     "status" "post_status" NOT NULL DEFAULT 'PUBLISHED';

-- CreateTable
CREATE TABLE "moderation_cases" (
    "id" UUID NOT NULL,
    "post_id" UUID,
    "comment_id" UUID,
    "author_id" UUID NOT NULL,
    "source" "moderation_source" NOT NULL,
    "status" "moderation_case_status" NOT NULL DEFAULT 'OPEN',
    "reasons" TEXT[],
    "spam_score" DOUBLE PRECISION,
    "appeal" VARCHAR(1000),
    "decided_by" UUID,
    "decision_reason" VARCHAR(1000),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "decided_at" TIMESTAMPTZ(3),

    CONSTRAINT "moderation_cases_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "moderation_reports" (
    "id" UUID NOT NULL,
    "post_id" UUID,
    "comment_id" UUID,
    "reporter_id" UUID NOT NULL,
    "reason" VARCHAR(500) NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "moderation_reports_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "moderation_cases_status_created_at_id_idx" ON "moderation_cases"("status", "created_at", "id");

-- CreateIndex
CREATE INDEX "moderation_cases_post_id_idx" ON "moderation_cases"("post_id");

-- CreateIndex
CREATE INDEX "moderation_cases_comment_id_idx" ON "moderation_cases"("comment_id");

-- CreateIndex
CREATE INDEX "moderation_reports_reporter_id_idx" ON "moderation_reports"("reporter_id");

-- CreateIndex
CREATE UNIQUE INDEX "moderation_reports_post_id_reporter_id_key" ON "moderation_reports"("post_id", "reporter_id");

-- CreateIndex
CREATE UNIQUE INDEX "moderation_reports_comment_id_reporter_id_key" ON "moderation_reports"("comment_id", "reporter_id");

-- AddForeignKey
ALTER TABLE "moderation_cases" ADD CONSTRAINT "moderation_cases_post_id_fkey" FOREIGN KEY ("post_id") REFERENCES "posts"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "moderation_cases" ADD CONSTRAINT "moderation_cases_comment_id_fkey" FOREIGN KEY ("comment_id") REFERENCES "comments"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "moderation_reports" ADD CONSTRAINT "moderation_reports_post_id_fkey" FOREIGN KEY ("post_id") REFERENCES "posts"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "moderation_reports" ADD CONSTRAINT "moderation_reports_comment_id_fkey" FOREIGN KEY ("comment_id") REFERENCES "comments"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- By hand: a case or report is about exactly one post or one comment.
ALTER TABLE "moderation_cases" ADD CONSTRAINT "moderation_cases_one_target" CHECK (num_nonnulls("post_id", "comment_id") = 1);
ALTER TABLE "moderation_reports" ADD CONSTRAINT "moderation_reports_one_target" CHECK (num_nonnulls("post_id", "comment_id") = 1);

-- By hand: at most one open case per item, so concurrent holds (reports and an edit at once) queue it once.
CREATE UNIQUE INDEX "moderation_cases_open_post_key" ON "moderation_cases"("post_id") WHERE "status" = 'OPEN' AND "post_id" IS NOT NULL;
CREATE UNIQUE INDEX "moderation_cases_open_comment_key" ON "moderation_cases"("comment_id") WHERE "status" = 'OPEN' AND "comment_id" IS NOT NULL;
