-- AlterTable
ALTER TABLE "intervals" ADD COLUMN     "minions_started" INTEGER NOT NULL DEFAULT 0,
ADD COLUMN     "target_arrivals" INTEGER NOT NULL DEFAULT 0;
