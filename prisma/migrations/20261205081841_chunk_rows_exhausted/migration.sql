-- AlterTable
ALTER TABLE "chunks" ADD COLUMN     "rows_exhausted" BOOLEAN NOT NULL DEFAULT false;
