-- AlterTable
ALTER TABLE "moderation_reports" ADD COLUMN     "feedback_id" UUID;

-- CreateIndex
CREATE UNIQUE INDEX "moderation_reports_feedback_id_reporter_id_key" ON "moderation_reports"("feedback_id", "reporter_id");

-- AddForeignKey
ALTER TABLE "moderation_reports" ADD CONSTRAINT "moderation_reports_feedback_id_fkey" FOREIGN KEY ("feedback_id") REFERENCES "feedback"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- By hand: a report is about exactly one item, now a post, a comment or feedback.
ALTER TABLE "moderation_reports" DROP CONSTRAINT "moderation_reports_one_target";
ALTER TABLE "moderation_reports" ADD CONSTRAINT "moderation_reports_one_target" CHECK (num_nonnulls("post_id", "comment_id", "feedback_id") = 1);
