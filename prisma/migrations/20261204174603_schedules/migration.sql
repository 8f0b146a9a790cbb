-- AlterTable
ALTER TABLE "campaigns" ADD COLUMN     "schedule_id" TEXT;

-- CreateTable
CREATE TABLE "schedules" (
    "id" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "enabled" BOOLEAN NOT NULL DEFAULT true,
    "scheduled_at" TEXT NOT NULL,
    "scheduling" JSONB,
    "time_zone" TEXT NOT NULL,
    "campaign" JSONB NOT NULL,
    "next_run_at" TIMESTAMP(3),
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "schedules_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "schedule_runs" (
    "schedule_id" TEXT NOT NULL,
    "occurrence_at" TIMESTAMP(3) NOT NULL,
    "outcome" TEXT NOT NULL,
    "campaign_key" TEXT,
    "at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "schedule_runs_pkey" PRIMARY KEY ("schedule_id","occurrence_at")
);

-- CreateIndex
CREATE INDEX "schedules_name_idx" ON "schedules"("name");

-- CreateIndex
CREATE INDEX "campaigns_schedule_id_idx" ON "campaigns"("schedule_id");

-- AddForeignKey
ALTER TABLE "schedule_runs" ADD CONSTRAINT "schedule_runs_schedule_id_fkey" FOREIGN KEY ("schedule_id") REFERENCES "schedules"("id") ON DELETE CASCADE ON UPDATE CASCADE;
