-- AlterTable
ALTER TABLE "chunks" ADD COLUMN     "clock_offset_ms" DOUBLE PRECISION,
ADD COLUMN     "clock_uncertainty_ms" DOUBLE PRECISION,
ADD COLUMN     "ready_at" TIMESTAMP(3),
ADD COLUMN     "start_lateness_ms" DOUBLE PRECISION;
