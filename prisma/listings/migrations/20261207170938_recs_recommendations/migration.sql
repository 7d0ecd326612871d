-- CreateTable
CREATE TABLE "recommendation_affinities" (
    "user_id" UUID NOT NULL,
    "listing_id" UUID NOT NULL,
    "affinity" DOUBLE PRECISION NOT NULL,
    "first_at" TIMESTAMPTZ(3) NOT NULL,
    "last_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "recommendation_affinities_pkey" PRIMARY KEY ("user_id","listing_id")
);

-- CreateTable
CREATE TABLE "recommendation_cooccurrence" (
    "listing_id" UUID NOT NULL,
    "other_id" UUID NOT NULL,
    "weight" DOUBLE PRECISION NOT NULL,

    CONSTRAINT "recommendation_cooccurrence_pkey" PRIMARY KEY ("listing_id","other_id")
);

-- CreateTable
CREATE TABLE "recommendation_popularity" (
    "listing_id" UUID NOT NULL,
    "weight" DOUBLE PRECISION NOT NULL,
    "users" INTEGER NOT NULL,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "recommendation_popularity_pkey" PRIMARY KEY ("listing_id")
);

-- CreateIndex
CREATE INDEX "recommendation_affinities_user_id_last_at_idx" ON "recommendation_affinities"("user_id", "last_at" DESC);

-- CreateIndex
CREATE INDEX "recommendation_affinities_listing_id_idx" ON "recommendation_affinities"("listing_id");

-- CreateIndex
CREATE INDEX "recommendation_cooccurrence_listing_id_weight_idx" ON "recommendation_cooccurrence"("listing_id", "weight" DESC);

-- CreateIndex
CREATE INDEX "recommendation_cooccurrence_other_id_idx" ON "recommendation_cooccurrence"("other_id");

-- CreateIndex
CREATE INDEX "recommendation_popularity_weight_idx" ON "recommendation_popularity"("weight" DESC);

-- CreateIndex
CREATE INDEX "listings_status_kind_latitude_longitude_idx" ON "listings"("status", "kind", "latitude", "longitude");

-- AddForeignKey
ALTER TABLE "recommendation_affinities" ADD CONSTRAINT "recommendation_affinities_listing_id_fkey" FOREIGN KEY ("listing_id") REFERENCES "listings"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "recommendation_cooccurrence" ADD CONSTRAINT "recommendation_cooccurrence_listing_id_fkey" FOREIGN KEY ("listing_id") REFERENCES "listings"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "recommendation_cooccurrence" ADD CONSTRAINT "recommendation_cooccurrence_other_id_fkey" FOREIGN KEY ("other_id") REFERENCES "listings"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "recommendation_popularity" ADD CONSTRAINT "recommendation_popularity_listing_id_fkey" FOREIGN KEY ("listing_id") REFERENCES "listings"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- Hand-written: weights are sums of positive affinities.
ALTER TABLE "recommendation_affinities" ADD CONSTRAINT "recommendation_affinities_positive" CHECK ("affinity" > 0);
ALTER TABLE "recommendation_cooccurrence" ADD CONSTRAINT "recommendation_cooccurrence_positive" CHECK ("weight" > 0 AND "listing_id" <> "other_id");
ALTER TABLE "recommendation_popularity" ADD CONSTRAINT "recommendation_popularity_positive" CHECK ("weight" > 0 AND "users" > 0);
