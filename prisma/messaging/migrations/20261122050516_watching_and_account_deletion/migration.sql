-- AlterEnum
ALTER TYPE "NotificationKind" ADD VALUE 'LISTING';

-- AlterTable
ALTER TABLE "conversation_participants" ADD COLUMN     "left_at" TIMESTAMPTZ(3);

-- AlterTable
ALTER TABLE "messages" ADD COLUMN     "removed_at" TIMESTAMPTZ(3);

-- CreateTable
CREATE TABLE "deleted_users" (
    "user_id" UUID NOT NULL,
    "deleted_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "deleted_users_pkey" PRIMARY KEY ("user_id")
);

-- CreateTable
CREATE TABLE "known_listings" (
    "listing_id" UUID NOT NULL,
    "owner_id" UUID NOT NULL,
    "title" TEXT NOT NULL,
    "kind" VARCHAR(20) NOT NULL,
    "status" VARCHAR(30) NOT NULL,
    "price" VARCHAR(40),
    "price_per_night" VARCHAR(40),
    "currency" CHAR(3) NOT NULL,
    "last_event_at" TIMESTAMPTZ(3) NOT NULL,
    "deleted_at" TIMESTAMPTZ(3),

    CONSTRAINT "known_listings_pkey" PRIMARY KEY ("listing_id")
);

-- CreateTable
CREATE TABLE "listing_watches" (
    "user_id" UUID NOT NULL,
    "listing_id" UUID NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "listing_watches_pkey" PRIMARY KEY ("user_id","listing_id")
);

-- CreateIndex
CREATE INDEX "listing_watches_listing_id_idx" ON "listing_watches"("listing_id");

-- AddForeignKey
ALTER TABLE "listing_watches" ADD CONSTRAINT "listing_watches_listing_id_fkey" FOREIGN KEY ("listing_id") REFERENCES "known_listings"("listing_id") ON DELETE CASCADE ON UPDATE CASCADE;

-- Written by hand: rules Prisma cannot express.
-- A removed message keeps nothing of what was written (domain.ts REMOVED_MESSAGE_BODY).
ALTER TABLE "messages" ADD CONSTRAINT "messages_removed_body_is_placeholder" CHECK (
  "removed_at" IS NULL OR "body" = 'This message was removed.'
);
-- Nobody leaves a conversation before joining it.
ALTER TABLE "conversation_participants" ADD CONSTRAINT "conversation_participants_left_after_joining" CHECK (
  "left_at" IS NULL OR "left_at" >= "joined_at"
);
-- The listing kinds of the listings.listing.upserted contract.
ALTER TABLE "known_listings" ADD CONSTRAINT "known_listings_kind_known" CHECK ("kind" IN ('SALE', 'RENT'));
