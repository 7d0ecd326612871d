-- CreateTable
CREATE TABLE "maintenance_runs" (
    "job" VARCHAR(100) NOT NULL,
    "last_run_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "maintenance_runs_pkey" PRIMARY KEY ("job")
);

-- CreateIndex
CREATE INDEX "dev_outbox_created_at_idx" ON "dev_outbox"("created_at");

-- CreateIndex
CREATE INDEX "sessions_expires_at_idx" ON "sessions"("expires_at");

-- CreateIndex
CREATE INDEX "sessions_revoked_at_idx" ON "sessions"("revoked_at");
