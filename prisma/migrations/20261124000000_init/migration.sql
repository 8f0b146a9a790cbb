-- CreateTable
CREATE TABLE "scenario_versions" (
    "id" SERIAL NOT NULL,
    "name" TEXT NOT NULL,
    "version" INTEGER NOT NULL,
    "definition" JSONB NOT NULL,
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "scenario_versions_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "campaigns" (
    "key" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "note" TEXT NOT NULL DEFAULT '',
    "status" TEXT NOT NULL,
    "result" TEXT,
    "result_details" JSONB,
    "failure_reason" TEXT,
    "status_history" JSONB NOT NULL,
    "definition" JSONB NOT NULL,
    "speed_factor" DOUBLE PRECISION NOT NULL,
    "start_offset_ms" INTEGER NOT NULL,
    "hard_timeout" BOOLEAN NOT NULL,
    "timeout_ms" INTEGER,
    "manual_start" BOOLEAN NOT NULL,
    "resolution_ms" INTEGER NOT NULL,
    "start_at" TIMESTAMP(3),
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "started_at" TIMESTAMP(3),
    "ended_at" TIMESTAMP(3),
    "retention_expiry" TIMESTAMP(3),
    "requests" BIGINT NOT NULL DEFAULT 0,
    "failures" BIGINT NOT NULL DEFAULT 0,
    "minions_started" BIGINT NOT NULL DEFAULT 0,
    "dropped_iterations" BIGINT NOT NULL DEFAULT 0,

    CONSTRAINT "campaigns_pkey" PRIMARY KEY ("key")
);

-- CreateTable
CREATE TABLE "chunks" (
    "id" TEXT NOT NULL,
    "campaign_key" TEXT NOT NULL,
    "scenario" TEXT NOT NULL,
    "zone" TEXT NOT NULL,
    "index" INTEGER NOT NULL,
    "share" JSONB NOT NULL,
    "minions" INTEGER NOT NULL,
    "status" TEXT NOT NULL,
    "factory_id" TEXT,
    "host" TEXT,
    "accepted_at" TIMESTAMP(3),
    "started_at" TIMESTAMP(3),
    "finished_at" TIMESTAMP(3),
    "last_seq" INTEGER,
    "iterations" BIGINT NOT NULL DEFAULT 0,
    "error" TEXT,

    CONSTRAINT "chunks_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "snapshot_receipts" (
    "chunk_id" TEXT NOT NULL,
    "seq" INTEGER NOT NULL,

    CONSTRAINT "snapshot_receipts_pkey" PRIMARY KEY ("chunk_id","seq")
);

-- CreateTable
CREATE TABLE "intervals" (
    "campaign_key" TEXT NOT NULL,
    "scenario" TEXT NOT NULL,
    "step" TEXT NOT NULL,
    "zone" TEXT NOT NULL,
    "bucket_start" TIMESTAMP(3) NOT NULL,
    "histogram" TEXT NOT NULL,
    "service_histogram" TEXT,
    "count" INTEGER NOT NULL,
    "failures" INTEGER NOT NULL,
    "rps" DOUBLE PRECISION NOT NULL,
    "mean" DOUBLE PRECISION NOT NULL,
    "min" DOUBLE PRECISION NOT NULL,
    "p50" DOUBLE PRECISION NOT NULL,
    "p75" DOUBLE PRECISION NOT NULL,
    "p90" DOUBLE PRECISION NOT NULL,
    "p95" DOUBLE PRECISION NOT NULL,
    "p99" DOUBLE PRECISION NOT NULL,
    "p999" DOUBLE PRECISION NOT NULL,
    "max" DOUBLE PRECISION NOT NULL,
    "std_dev" DOUBLE PRECISION NOT NULL,
    "bytes_in" BIGINT NOT NULL,
    "bytes_out" BIGINT NOT NULL,
    "status_codes" JSONB NOT NULL,
    "failure_kinds" JSONB NOT NULL,
    "failed_checks" JSONB NOT NULL,
    "minions_active" INTEGER NOT NULL,
    "iterations" INTEGER NOT NULL,
    "dropped" INTEGER NOT NULL,
    "max_lag_ms" DOUBLE PRECISION NOT NULL,
    "max_lateness_ms" DOUBLE PRECISION NOT NULL,
    "saturated" BOOLEAN NOT NULL,

    CONSTRAINT "intervals_pkey" PRIMARY KEY ("campaign_key","scenario","step","zone","bucket_start")
);

-- CreateTable
CREATE TABLE "campaign_events" (
    "id" BIGSERIAL NOT NULL,
    "campaign_key" TEXT NOT NULL,
    "at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "level" TEXT NOT NULL,
    "message" TEXT NOT NULL,

    CONSTRAINT "campaign_events_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "scenario_versions_name_version_key" ON "scenario_versions"("name", "version");

-- CreateIndex
CREATE INDEX "campaigns_created_at_idx" ON "campaigns"("created_at");

-- CreateIndex
CREATE INDEX "campaigns_status_idx" ON "campaigns"("status");

-- CreateIndex
CREATE INDEX "chunks_campaign_key_idx" ON "chunks"("campaign_key");

-- CreateIndex
CREATE INDEX "campaign_events_campaign_key_id_idx" ON "campaign_events"("campaign_key", "id");

-- AddForeignKey
ALTER TABLE "chunks" ADD CONSTRAINT "chunks_campaign_key_fkey" FOREIGN KEY ("campaign_key") REFERENCES "campaigns"("key") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "snapshot_receipts" ADD CONSTRAINT "snapshot_receipts_chunk_id_fkey" FOREIGN KEY ("chunk_id") REFERENCES "chunks"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "intervals" ADD CONSTRAINT "intervals_campaign_key_fkey" FOREIGN KEY ("campaign_key") REFERENCES "campaigns"("key") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "campaign_events" ADD CONSTRAINT "campaign_events_campaign_key_fkey" FOREIGN KEY ("campaign_key") REFERENCES "campaigns"("key") ON DELETE CASCADE ON UPDATE CASCADE;
