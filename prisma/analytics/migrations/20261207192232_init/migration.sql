-- CreateSchema
CREATE SCHEMA IF NOT EXISTS "public";

-- CreateTable
CREATE TABLE "analytics_events" (
    "event_id" UUID NOT NULL,
    "type" VARCHAR(100) NOT NULL,
    "day" DATE NOT NULL,
    "occurred_at" TIMESTAMPTZ(3) NOT NULL,
    "envelope" JSONB NOT NULL,
    "seq" BIGSERIAL NOT NULL,
    "batch_id" BIGINT,

    CONSTRAINT "analytics_events_pkey" PRIMARY KEY ("event_id")
);

-- CreateTable
CREATE TABLE "analytics_batches" (
    "id" BIGSERIAL NOT NULL,
    "day" DATE NOT NULL,
    "type" VARCHAR(100) NOT NULL,
    "event_count" INTEGER NOT NULL,
    "sealed_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "written_at" TIMESTAMPTZ(3),

    CONSTRAINT "analytics_batches_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "inbox_events" (
    "consumer" VARCHAR(100) NOT NULL,
    "event_id" UUID NOT NULL,
    "handled_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "inbox_events_pkey" PRIMARY KEY ("consumer","event_id")
);

-- CreateIndex
CREATE INDEX "analytics_events_batch_id_day_type_seq_idx" ON "analytics_events"("batch_id", "day", "type", "seq");

-- CreateIndex
CREATE INDEX "analytics_batches_written_at_idx" ON "analytics_batches"("written_at");

-- AddForeignKey
ALTER TABLE "analytics_events" ADD CONSTRAINT "analytics_events_batch_id_fkey" FOREIGN KEY ("batch_id") REFERENCES "analytics_batches"("id") ON DELETE SET NULL ON UPDATE CASCADE;
