-- CreateTable
CREATE TABLE "ingest_receipts" (
    "event_id" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "processed_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "ingest_receipts_pkey" PRIMARY KEY ("event_id")
);

-- CreateIndex
CREATE INDEX "ingest_receipts_processed_at_idx" ON "ingest_receipts"("processed_at");
