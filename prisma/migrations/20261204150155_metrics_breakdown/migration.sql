-- AlterTable
ALTER TABLE "campaign_events" ADD COLUMN     "data" JSONB,
ADD COLUMN     "kind" TEXT NOT NULL DEFAULT 'log';

-- AlterTable
ALTER TABLE "intervals" ADD COLUMN     "checks" INTEGER NOT NULL DEFAULT 0,
ADD COLUMN     "timings" JSONB NOT NULL DEFAULT '{}';

-- CreateTable
CREATE TABLE "failure_samples" (
    "id" BIGSERIAL NOT NULL,
    "campaign_key" TEXT NOT NULL,
    "scenario" TEXT NOT NULL,
    "step" TEXT NOT NULL,
    "zone" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "request" TEXT NOT NULL,
    "status" INTEGER,
    "message" TEXT NOT NULL,
    "at" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "failure_samples_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "failure_samples_campaign_key_kind_idx" ON "failure_samples"("campaign_key", "kind");

-- AddForeignKey
ALTER TABLE "failure_samples" ADD CONSTRAINT "failure_samples_campaign_key_fkey" FOREIGN KEY ("campaign_key") REFERENCES "campaigns"("key") ON DELETE CASCADE ON UPDATE CASCADE;
