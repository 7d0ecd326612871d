-- CreateTable
CREATE TABLE "deleted_owners" (
    "user_id" UUID NOT NULL,
    "recorded_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "deleted_owners_pkey" PRIMARY KEY ("user_id")
);
