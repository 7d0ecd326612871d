-- AlterTable
ALTER TABLE "known_users" ADD COLUMN     "email" VARCHAR(320);

-- CreateTable
CREATE TABLE "notification_preferences" (
    "user_id" UUID NOT NULL,
    "kind" VARCHAR(20) NOT NULL,
    "channel" VARCHAR(10) NOT NULL,
    "mode" VARCHAR(10) NOT NULL,

    CONSTRAINT "notification_preferences_pkey" PRIMARY KEY ("user_id","kind","channel")
);

-- CreateTable
CREATE TABLE "channel_settings" (
    "user_id" UUID NOT NULL,
    "quiet_start" INTEGER,
    "quiet_end" INTEGER,
    "time_zone" VARCHAR(64) NOT NULL DEFAULT 'UTC',
    "phone" VARCHAR(20),
    "phone_verified_at" TIMESTAMPTZ(3),
    "phone_code_hash" VARCHAR(64),
    "phone_code_expires_at" TIMESTAMPTZ(3),
    "phone_code_attempts" INTEGER NOT NULL DEFAULT 0,
    "digest_sent_on" VARCHAR(10),

    CONSTRAINT "channel_settings_pkey" PRIMARY KEY ("user_id")
);

-- CreateTable
CREATE TABLE "push_subscriptions" (
    "id" UUID NOT NULL,
    "user_id" UUID NOT NULL,
    "endpoint" VARCHAR(1000) NOT NULL,
    "p256dh" VARCHAR(200) NOT NULL,
    "auth" VARCHAR(100) NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "push_subscriptions_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "deliveries" (
    "id" UUID NOT NULL,
    "source_key" VARCHAR(200) NOT NULL,
    "notification_id" UUID,
    "user_id" UUID NOT NULL,
    "channel" VARCHAR(10) NOT NULL,
    "status" VARCHAR(10) NOT NULL DEFAULT 'PENDING',
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "next_attempt_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "lease_until" TIMESTAMPTZ(3),
    "last_error" VARCHAR(500),
    "sent_at" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "deliveries_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "dev_outbox" (
    "id" UUID NOT NULL,
    "user_id" UUID,
    "channel" VARCHAR(10) NOT NULL,
    "recipient" VARCHAR(1000) NOT NULL,
    "subject" VARCHAR(300),
    "body" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "dev_outbox_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "push_subscriptions_endpoint_key" ON "push_subscriptions"("endpoint");

-- CreateIndex
CREATE INDEX "push_subscriptions_user_id_idx" ON "push_subscriptions"("user_id");

-- CreateIndex
CREATE INDEX "deliveries_notification_id_idx" ON "deliveries"("notification_id");

-- CreateIndex
CREATE INDEX "deliveries_status_next_attempt_at_idx" ON "deliveries"("status", "next_attempt_at");

-- CreateIndex
CREATE UNIQUE INDEX "deliveries_source_key_user_id_channel_key" ON "deliveries"("source_key", "user_id", "channel");

-- CreateIndex
CREATE INDEX "dev_outbox_user_id_created_at_idx" ON "dev_outbox"("user_id", "created_at");

-- Hand-written: what Prisma cannot express.
ALTER TABLE "notification_preferences" ADD CONSTRAINT "notification_preferences_known" CHECK (
  "channel" IN ('EMAIL', 'SMS', 'PUSH') AND "mode" IN ('IMMEDIATE', 'DIGEST', 'OFF') AND ("mode" <> 'DIGEST' OR "channel" = 'EMAIL'));
ALTER TABLE "channel_settings" ADD CONSTRAINT "channel_settings_quiet_hours" CHECK (
  ("quiet_start" IS NULL) = ("quiet_end" IS NULL) AND ("quiet_start" IS NULL OR ("quiet_start" BETWEEN 0 AND 1439 AND "quiet_end" BETWEEN 0 AND 1439)));
ALTER TABLE "deliveries" ADD CONSTRAINT "deliveries_known" CHECK (
  "channel" IN ('EMAIL', 'SMS', 'PUSH') AND "status" IN ('PENDING', 'SENDING', 'SENT', 'FAILED', 'SKIPPED'));
-- The delivery job's claim: due rows only.
CREATE INDEX "deliveries_due" ON "deliveries"("next_attempt_at") WHERE "status" IN ('PENDING', 'SENDING');
