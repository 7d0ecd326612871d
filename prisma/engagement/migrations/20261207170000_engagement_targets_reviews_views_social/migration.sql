-- CreateEnum
CREATE TYPE "target_type" AS ENUM ('POST', 'LISTING', 'MACHINE');

-- CreateEnum
CREATE TYPE "review_direction" AS ENUM ('GUEST_REVIEWS_HOST', 'HOST_REVIEWS_GUEST');

-- CreateEnum
CREATE TYPE "activity_visibility" AS ENUM ('PUBLIC', 'CONNECTIONS', 'PRIVATE');

-- DropIndex
DROP INDEX "comments_post_id_created_at_id_idx";

-- DropIndex
DROP INDEX "reactions_post_id_user_id_key";

-- AlterTable
ALTER TABLE "comments" ADD COLUMN     "deleted_at" TIMESTAMPTZ(3),
ADD COLUMN     "parent_id" UUID,
ADD COLUMN     "target_id" UUID,
ADD COLUMN     "target_type" "target_type" NOT NULL DEFAULT 'POST',
ADD COLUMN     "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
ALTER COLUMN "post_id" DROP NOT NULL;
-- By hand: existing comments are on posts.
UPDATE "comments" SET "target_id" = "post_id", "updated_at" = "created_at";
ALTER TABLE "comments" ALTER COLUMN "target_id" SET NOT NULL;

-- AlterTable
ALTER TABLE "moderation_cases" ADD COLUMN     "feedback_id" UUID;

-- AlterTable
ALTER TABLE "reactions" ADD COLUMN     "target_id" UUID,
ADD COLUMN     "target_type" "target_type" NOT NULL DEFAULT 'POST',
ALTER COLUMN "post_id" DROP NOT NULL;
-- By hand: existing reactions are on posts.
UPDATE "reactions" SET "target_id" = "post_id";
ALTER TABLE "reactions" ALTER COLUMN "target_id" SET NOT NULL;

-- CreateTable
CREATE TABLE "feedback" (
    "id" UUID NOT NULL,
    "target_type" "target_type" NOT NULL,
    "target_id" UUID NOT NULL,
    "post_id" UUID,
    "author_id" UUID NOT NULL,
    "rating" SMALLINT NOT NULL,
    "body" VARCHAR(2000) NOT NULL,
    "status" "post_status" NOT NULL DEFAULT 'PUBLISHED',
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "feedback_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "engagement_counters" (
    "target_type" "target_type" NOT NULL,
    "target_id" UUID NOT NULL,
    "metric" VARCHAR(32) NOT NULL,
    "value" BIGINT NOT NULL DEFAULT 0,

    CONSTRAINT "engagement_counters_pkey" PRIMARY KEY ("target_type","target_id","metric")
);

-- CreateTable
CREATE TABLE "target_replicas" (
    "target_type" "target_type" NOT NULL,
    "target_id" UUID NOT NULL,
    "owner_id" UUID,
    "status" VARCHAR(32) NOT NULL,
    "version" INTEGER NOT NULL DEFAULT 0,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "target_replicas_pkey" PRIMARY KEY ("target_type","target_id")
);

-- CreateTable
CREATE TABLE "view_days" (
    "target_type" "target_type" NOT NULL,
    "target_id" UUID NOT NULL,
    "day" DATE NOT NULL,
    "viewer" VARCHAR(80) NOT NULL,
    "user_id" UUID,
    "owner_id" UUID,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "view_days_pkey" PRIMARY KEY ("target_type","target_id","day","viewer")
);

-- CreateTable
CREATE TABLE "completed_stays" (
    "stay_id" UUID NOT NULL,
    "listing_id" UUID NOT NULL,
    "host_id" UUID,
    "guest_id" UUID,
    "completed_at" TIMESTAMPTZ(3) NOT NULL,
    "reviews_close_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "completed_stays_pkey" PRIMARY KEY ("stay_id")
);

-- CreateTable
CREATE TABLE "reviews" (
    "id" UUID NOT NULL,
    "stay_id" UUID NOT NULL,
    "direction" "review_direction" NOT NULL,
    "author_id" UUID,
    "subject_id" UUID,
    "listing_id" UUID NOT NULL,
    "rating" SMALLINT NOT NULL,
    "body" VARCHAR(2000) NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "reviews_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "user_settings" (
    "user_id" UUID NOT NULL,
    "activity_visibility" "activity_visibility" NOT NULL DEFAULT 'CONNECTIONS',

    CONSTRAINT "user_settings_pkey" PRIMARY KEY ("user_id")
);

-- CreateTable
CREATE TABLE "social_connections" (
    "user_id" UUID NOT NULL,
    "other_id" UUID NOT NULL,
    "since" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "social_connections_pkey" PRIMARY KEY ("user_id","other_id")
);

-- CreateTable
CREATE TABLE "social_follows" (
    "follower_id" UUID NOT NULL,
    "followee_id" UUID NOT NULL,
    "since" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "social_follows_pkey" PRIMARY KEY ("follower_id","followee_id")
);

-- CreateIndex
CREATE INDEX "feedback_target_type_target_id_created_at_id_idx" ON "feedback"("target_type", "target_id", "created_at", "id");

-- CreateIndex
CREATE INDEX "feedback_post_id_idx" ON "feedback"("post_id");

-- CreateIndex
CREATE INDEX "feedback_author_id_idx" ON "feedback"("author_id");

-- CreateIndex
CREATE UNIQUE INDEX "feedback_target_type_target_id_author_id_key" ON "feedback"("target_type", "target_id", "author_id");

-- CreateIndex
CREATE INDEX "view_days_user_id_idx" ON "view_days"("user_id");

-- CreateIndex
CREATE INDEX "view_days_owner_id_day_idx" ON "view_days"("owner_id", "day");

-- CreateIndex
CREATE INDEX "completed_stays_listing_id_idx" ON "completed_stays"("listing_id");

-- CreateIndex
CREATE INDEX "reviews_listing_id_created_at_idx" ON "reviews"("listing_id", "created_at");

-- CreateIndex
CREATE INDEX "reviews_author_id_idx" ON "reviews"("author_id");

-- CreateIndex
CREATE INDEX "reviews_subject_id_idx" ON "reviews"("subject_id");

-- CreateIndex
CREATE UNIQUE INDEX "reviews_stay_id_direction_key" ON "reviews"("stay_id", "direction");

-- CreateIndex
CREATE INDEX "social_connections_other_id_idx" ON "social_connections"("other_id");

-- CreateIndex
CREATE INDEX "social_follows_followee_id_idx" ON "social_follows"("followee_id");

-- CreateIndex
CREATE INDEX "comments_target_type_target_id_created_at_id_idx" ON "comments"("target_type", "target_id", "created_at", "id");

-- CreateIndex
CREATE INDEX "comments_parent_id_created_at_id_idx" ON "comments"("parent_id", "created_at", "id");

-- CreateIndex
CREATE INDEX "comments_post_id_idx" ON "comments"("post_id");

-- CreateIndex
CREATE INDEX "moderation_cases_feedback_id_idx" ON "moderation_cases"("feedback_id");

-- CreateIndex
CREATE INDEX "reactions_post_id_idx" ON "reactions"("post_id");

-- CreateIndex
CREATE UNIQUE INDEX "reactions_target_type_target_id_user_id_key" ON "reactions"("target_type", "target_id", "user_id");

-- AddForeignKey
ALTER TABLE "comments" ADD CONSTRAINT "comments_parent_id_fkey" FOREIGN KEY ("parent_id") REFERENCES "comments"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "feedback" ADD CONSTRAINT "feedback_post_id_fkey" FOREIGN KEY ("post_id") REFERENCES "posts"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "reviews" ADD CONSTRAINT "reviews_stay_id_fkey" FOREIGN KEY ("stay_id") REFERENCES "completed_stays"("stay_id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "moderation_cases" ADD CONSTRAINT "moderation_cases_feedback_id_fkey" FOREIGN KEY ("feedback_id") REFERENCES "feedback"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- By hand: post_id repeats the target id exactly for targets that are posts (so their rows cascade
-- with the post), and is null otherwise.
ALTER TABLE "comments" ADD CONSTRAINT "comments_post_target" CHECK (("target_type" = 'POST') = ("post_id" IS NOT NULL) AND ("post_id" IS NULL OR "post_id" = "target_id"));
ALTER TABLE "reactions" ADD CONSTRAINT "reactions_post_target" CHECK (("target_type" = 'POST') = ("post_id" IS NOT NULL) AND ("post_id" IS NULL OR "post_id" = "target_id"));
ALTER TABLE "feedback" ADD CONSTRAINT "feedback_post_target" CHECK (("target_type" = 'POST') = ("post_id" IS NOT NULL) AND ("post_id" IS NULL OR "post_id" = "target_id"));
-- A deleted comment kept as a placeholder has an empty body; any other has text.
ALTER TABLE "comments" DROP CONSTRAINT "comments_body_not_blank";
ALTER TABLE "comments" ADD CONSTRAINT "comments_body_not_blank" CHECK ("deleted_at" IS NOT NULL OR "body" ~ '\S');
ALTER TABLE "comments" ADD CONSTRAINT "comments_not_own_parent" CHECK ("parent_id" IS NULL OR "parent_id" <> "id");
ALTER TABLE "feedback" ADD CONSTRAINT "feedback_rating_range" CHECK ("rating" BETWEEN 1 AND 5);
ALTER TABLE "feedback" ADD CONSTRAINT "feedback_body_not_blank" CHECK ("body" ~ '\S');
ALTER TABLE "reviews" ADD CONSTRAINT "reviews_rating_range" CHECK ("rating" BETWEEN 1 AND 5);
ALTER TABLE "reviews" ADD CONSTRAINT "reviews_body_not_blank" CHECK ("body" ~ '\S');
ALTER TABLE "engagement_counters" ADD CONSTRAINT "engagement_counters_not_negative" CHECK ("value" >= 0);

-- Moderation cases now also cover feedback: still exactly one target, one open case per item.
ALTER TABLE "moderation_cases" DROP CONSTRAINT "moderation_cases_one_target";
ALTER TABLE "moderation_cases" ADD CONSTRAINT "moderation_cases_one_target" CHECK (num_nonnulls("post_id", "comment_id", "feedback_id") = 1);
CREATE UNIQUE INDEX "moderation_cases_open_feedback_key" ON "moderation_cases"("feedback_id") WHERE "status" = 'OPEN' AND "feedback_id" IS NOT NULL;

-- Exact counters. Each row change adjusts its target's totals in the same transaction; increments
-- upsert, decrements only update (a target deleted meanwhile is not brought back as a zero row).
-- Row locks on the counter serialize concurrent writers, so no update is lost.
CREATE FUNCTION engagement_bump(t "target_type", tid UUID, m TEXT, delta BIGINT) RETURNS void AS $$
BEGIN
  IF delta > 0 THEN
    INSERT INTO "engagement_counters" ("target_type", "target_id", "metric", "value") VALUES (t, tid, m, delta)
    ON CONFLICT ("target_type", "target_id", "metric") DO UPDATE SET "value" = "engagement_counters"."value" + delta;
  ELSIF delta < 0 THEN
    UPDATE "engagement_counters" SET "value" = GREATEST("value" + delta, 0)
    WHERE "target_type" = t AND "target_id" = tid AND "metric" = m;
  END IF;
END $$ LANGUAGE plpgsql;

-- A comment counts while published and not deleted.
CREATE FUNCTION engagement_count_comments() RETURNS trigger AS $$
BEGIN
  IF TG_OP IN ('UPDATE', 'DELETE') AND OLD."status" = 'PUBLISHED' AND OLD."deleted_at" IS NULL THEN
    PERFORM engagement_bump(OLD."target_type", OLD."target_id", 'comments', -1);
  END IF;
  IF TG_OP IN ('INSERT', 'UPDATE') AND NEW."status" = 'PUBLISHED' AND NEW."deleted_at" IS NULL THEN
    PERFORM engagement_bump(NEW."target_type", NEW."target_id", 'comments', 1);
  END IF;
  RETURN NULL;
END $$ LANGUAGE plpgsql;
CREATE TRIGGER "comments_count" AFTER INSERT OR DELETE OR UPDATE OF "status", "deleted_at" ON "comments"
  FOR EACH ROW EXECUTE FUNCTION engagement_count_comments();

CREATE FUNCTION engagement_count_reactions() RETURNS trigger AS $$
BEGIN
  IF TG_OP IN ('UPDATE', 'DELETE') THEN
    PERFORM engagement_bump(OLD."target_type", OLD."target_id", 'reactions:' || OLD."kind"::text, -1);
  END IF;
  IF TG_OP IN ('INSERT', 'UPDATE') THEN
    PERFORM engagement_bump(NEW."target_type", NEW."target_id", 'reactions:' || NEW."kind"::text, 1);
  END IF;
  RETURN NULL;
END $$ LANGUAGE plpgsql;
CREATE TRIGGER "reactions_count" AFTER INSERT OR DELETE OR UPDATE OF "kind" ON "reactions"
  FOR EACH ROW EXECUTE FUNCTION engagement_count_reactions();

-- Feedback counts (and its rating sums, for the average) while published.
CREATE FUNCTION engagement_count_feedback() RETURNS trigger AS $$
BEGIN
  IF TG_OP IN ('UPDATE', 'DELETE') AND OLD."status" = 'PUBLISHED' THEN
    PERFORM engagement_bump(OLD."target_type", OLD."target_id", 'feedback', -1);
    PERFORM engagement_bump(OLD."target_type", OLD."target_id", 'feedback_sum', -OLD."rating");
  END IF;
  IF TG_OP IN ('INSERT', 'UPDATE') AND NEW."status" = 'PUBLISHED' THEN
    PERFORM engagement_bump(NEW."target_type", NEW."target_id", 'feedback', 1);
    PERFORM engagement_bump(NEW."target_type", NEW."target_id", 'feedback_sum', NEW."rating");
  END IF;
  RETURN NULL;
END $$ LANGUAGE plpgsql;
CREATE TRIGGER "feedback_count" AFTER INSERT OR DELETE OR UPDATE OF "status", "rating" ON "feedback"
  FOR EACH ROW EXECUTE FUNCTION engagement_count_feedback();

CREATE FUNCTION engagement_count_views() RETURNS trigger AS $$
BEGIN
  IF TG_OP = 'DELETE' THEN
    PERFORM engagement_bump(OLD."target_type", OLD."target_id", 'views', -1);
  ELSE
    PERFORM engagement_bump(NEW."target_type", NEW."target_id", 'views', 1);
  END IF;
  RETURN NULL;
END $$ LANGUAGE plpgsql;
CREATE TRIGGER "view_days_count" AFTER INSERT OR DELETE ON "view_days"
  FOR EACH ROW EXECUTE FUNCTION engagement_count_views();

-- A deleted post's totals go with it.
CREATE FUNCTION engagement_forget_post_counters() RETURNS trigger AS $$
BEGIN
  DELETE FROM "engagement_counters" WHERE "target_type" = 'POST' AND "target_id" = OLD."id";
  RETURN NULL;
END $$ LANGUAGE plpgsql;
CREATE TRIGGER "posts_forget_counters" AFTER DELETE ON "posts"
  FOR EACH ROW EXECUTE FUNCTION engagement_forget_post_counters();

-- Totals of the rows that exist already.
INSERT INTO "engagement_counters" ("target_type", "target_id", "metric", "value")
  SELECT "target_type", "target_id", 'comments', count(*) FROM "comments" WHERE "status" = 'PUBLISHED' GROUP BY 1, 2;
INSERT INTO "engagement_counters" ("target_type", "target_id", "metric", "value")
  SELECT "target_type", "target_id", 'reactions:' || "kind"::text, count(*) FROM "reactions" GROUP BY 1, 2, 3;
