-- The outbox is read only to hand a repeated delivery the first time's items; it is pruned with the
-- receipts once they are older than INLOCO_DELIVERY_RECORDS_KEEP (src/retention). dispatched_at was
-- never set: the index on it gives way to one on created_at, which the pruning reads.
DROP INDEX "outbox_dispatched_at_created_at_idx";
ALTER TABLE "outbox" DROP COLUMN "dispatched_at";
CREATE INDEX "outbox_created_at_idx" ON "outbox"("created_at");
