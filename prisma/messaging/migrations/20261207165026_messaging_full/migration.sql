-- AlterEnum
-- This migration adds more than one value to an enum.
-- With PostgreSQL versions 11 and earlier, this is not possible
-- in a single migration. This can be worked around by creating
-- multiple migrations, each migration adding only one value to
-- the enum.


ALTER TYPE "NotificationKind" ADD VALUE 'AUCTION';
ALTER TYPE "NotificationKind" ADD VALUE 'MODERATION';

-- AlterTable
ALTER TABLE "conversation_participants" ADD COLUMN     "last_read_message_id" UUID,
ADD COLUMN     "muted_until" TIMESTAMPTZ(3),
ADD COLUMN     "read_marked_at" TIMESTAMPTZ(3);

-- AlterTable
ALTER TABLE "conversations" ADD COLUMN     "context_id" UUID,
ADD COLUMN     "context_kind" VARCHAR(20),
ADD COLUMN     "creator_id" UUID,
ADD COLUMN     "is_group" BOOLEAN NOT NULL DEFAULT false,
ADD COLUMN     "title" VARCHAR(100),
ALTER COLUMN "pair_key" SET DATA TYPE VARCHAR(200);

-- AlterTable
ALTER TABLE "messages" ADD COLUMN     "deleted_at" TIMESTAMPTZ(3),
ADD COLUMN     "edited_at" TIMESTAMPTZ(3);

-- AlterTable
ALTER TABLE "notifications" ADD COLUMN     "coalesce_key" VARCHAR(200),
ADD COLUMN     "conversation_id" UUID,
ADD COLUMN     "count" INTEGER NOT NULL DEFAULT 1;

-- CreateTable
CREATE TABLE "known_users" (
    "user_id" UUID NOT NULL,
    "name" VARCHAR(200) NOT NULL,
    "role" VARCHAR(20) NOT NULL,
    "status" VARCHAR(20) NOT NULL DEFAULT 'ACTIVE',
    "last_event_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "known_users_pkey" PRIMARY KEY ("user_id")
);

-- CreateTable
CREATE TABLE "user_blocks" (
    "blocker_id" UUID NOT NULL,
    "blocked_id" UUID NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "user_blocks_pkey" PRIMARY KEY ("blocker_id","blocked_id")
);

-- CreateTable
CREATE TABLE "inbox_heads" (
    "user_id" UUID NOT NULL,
    "seq" BIGINT NOT NULL DEFAULT 0,

    CONSTRAINT "inbox_heads_pkey" PRIMARY KEY ("user_id")
);

-- CreateTable
CREATE TABLE "inbox_updates" (
    "user_id" UUID NOT NULL,
    "seq" BIGINT NOT NULL,
    "kind" VARCHAR(20) NOT NULL,
    "conversation_id" UUID NOT NULL,
    "message_id" UUID,
    "actor_id" UUID NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "inbox_updates_pkey" PRIMARY KEY ("user_id","seq")
);

-- CreateTable
CREATE TABLE "conversation_readers" (
    "subscription_id" UUID NOT NULL,
    "conversation_id" UUID NOT NULL,
    "user_id" UUID NOT NULL,
    "expires_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "conversation_readers_pkey" PRIMARY KEY ("subscription_id")
);

-- CreateTable
CREATE TABLE "broadcasts" (
    "id" UUID NOT NULL,
    "admin_id" UUID NOT NULL,
    "title" VARCHAR(200) NOT NULL,
    "body" VARCHAR(2000) NOT NULL,
    "audience" VARCHAR(10) NOT NULL,
    "target_user_id" UUID,
    "target_role" VARCHAR(20),
    "cursor" UUID,
    "sent_count" INTEGER NOT NULL DEFAULT 0,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "finished_at" TIMESTAMPTZ(3),

    CONSTRAINT "broadcasts_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "known_users_role_user_id_idx" ON "known_users"("role", "user_id");

-- CreateIndex
CREATE INDEX "user_blocks_blocked_id_idx" ON "user_blocks"("blocked_id");

-- CreateIndex
CREATE INDEX "inbox_updates_created_at_idx" ON "inbox_updates"("created_at");

-- CreateIndex
CREATE INDEX "conversation_readers_conversation_id_user_id_idx" ON "conversation_readers"("conversation_id", "user_id");

-- CreateIndex
CREATE INDEX "broadcasts_finished_at_created_at_idx" ON "broadcasts"("finished_at", "created_at");

-- Hand-written: what Prisma cannot express.
-- At most one unread notification per recipient and coalescing key (one MESSAGE notification per
-- conversation until read): a repeat updates it instead.
CREATE UNIQUE INDEX "notifications_unread_coalesce_key" ON "notifications"("recipient_id", "coalesce_key")
  WHERE "read_at" IS NULL AND "coalesce_key" IS NOT NULL;
CREATE INDEX "notifications_unread_by_recipient" ON "notifications"("recipient_id") WHERE "read_at" IS NULL;
-- Search within a conversation: words in any order, no stemming (messages are in any language).
CREATE INDEX "messages_body_search" ON "messages" USING gin (to_tsvector('simple', "body"))
  WHERE "deleted_at" IS NULL AND "removed_at" IS NULL;
ALTER TABLE "conversations" ADD CONSTRAINT "conversations_context_whole" CHECK (("context_kind" IS NULL) = ("context_id" IS NULL));
ALTER TABLE "conversations" ADD CONSTRAINT "conversations_context_kind_known" CHECK (
  "context_kind" IS NULL OR "context_kind" IN ('LISTING', 'STAY', 'VIEWING', 'AUCTION', 'INSTANCE'));
ALTER TABLE "conversations" ADD CONSTRAINT "conversations_group_has_no_pair_key" CHECK (NOT ("is_group" AND "pair_key" IS NOT NULL));
-- The pair key was "<a>:<b>" (73 characters); it may now carry "|<context kind>:<context id>".
ALTER TABLE "conversations" DROP CONSTRAINT "conversations_pair_key_canonical";
ALTER TABLE "conversations" ADD CONSTRAINT "conversations_pair_key_canonical" CHECK (
  "pair_key" IS NULL OR (
    "pair_key" ~ '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}(\|(LISTING|STAY|VIEWING|AUCTION|INSTANCE):[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})?$'
    AND split_part("pair_key", ':', 1) COLLATE "C" < split_part(split_part("pair_key", '|', 1), ':', 2) COLLATE "C"
  )
);
-- A deleted message keeps nothing of what was written (domain.ts DELETED_MESSAGE_BODY).
ALTER TABLE "messages" ADD CONSTRAINT "messages_deleted_body_is_placeholder" CHECK (
  "deleted_at" IS NULL OR "body" = 'This message was deleted.');
ALTER TABLE "notifications" ADD CONSTRAINT "notifications_count_positive" CHECK ("count" >= 1);
ALTER TABLE "user_blocks" ADD CONSTRAINT "user_blocks_not_self" CHECK ("blocker_id" <> "blocked_id");
ALTER TABLE "inbox_updates" ADD CONSTRAINT "inbox_updates_kind_known" CHECK (
  "kind" IN ('MESSAGE_ADDED', 'MESSAGE_EDITED', 'MESSAGE_DELETED', 'READ'));
ALTER TABLE "broadcasts" ADD CONSTRAINT "broadcasts_audience_target" CHECK (
  ("audience" = 'USER' AND "target_user_id" IS NOT NULL) OR ("audience" = 'ROLE' AND "target_role" IS NOT NULL)
  OR "audience" = 'EVERYONE');
