-- AlterTable
ALTER TABLE "intervals" ADD COLUMN     "stream" JSONB;
