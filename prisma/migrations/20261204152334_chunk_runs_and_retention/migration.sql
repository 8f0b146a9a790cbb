-- AlterTable
ALTER TABLE "campaigns" ADD COLUMN     "purged_at" TIMESTAMP(3);

-- AlterTable
ALTER TABLE "chunks" ADD COLUMN     "lost_at" TIMESTAMP(3);

-- AlterTable
ALTER TABLE "snapshot_receipts" DROP CONSTRAINT "snapshot_receipts_pkey",
ADD COLUMN     "run" TEXT NOT NULL DEFAULT '',
ADD CONSTRAINT "snapshot_receipts_pkey" PRIMARY KEY ("chunk_id", "run", "seq");

-- CreateTable
CREATE TABLE "chunk_runs" (
    "chunk_id" TEXT NOT NULL,
    "run" TEXT NOT NULL,
    "factory_id" TEXT NOT NULL,
    "host" TEXT NOT NULL,
    "accepted_at" TIMESTAMP(3) NOT NULL,
    "ended_at" TIMESTAMP(3),
    "outcome" TEXT NOT NULL,
    "last_seq" INTEGER,

    CONSTRAINT "chunk_runs_pkey" PRIMARY KEY ("chunk_id","run")
);

-- AddForeignKey
ALTER TABLE "chunk_runs" ADD CONSTRAINT "chunk_runs_chunk_id_fkey" FOREIGN KEY ("chunk_id") REFERENCES "chunks"("id") ON DELETE CASCADE ON UPDATE CASCADE;
