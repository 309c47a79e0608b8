-- AlterTable
ALTER TABLE "sessions" ADD COLUMN     "timer_turn" INTEGER;

-- AlterTable
ALTER TABLE "outbox" ADD COLUMN     "done_at" TIMESTAMPTZ(3);

-- Rows written before this migration: done (the relay must not send a week of old replies again).
UPDATE "outbox" SET "done_at" = "created_at";

-- CreateTable
CREATE TABLE "inbox" (
    "seq" BIGSERIAL NOT NULL,
    "channel" "channel" NOT NULL,
    "delivery" TEXT NOT NULL,
    "address_hash" TEXT NOT NULL,
    "payload" JSONB NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "inbox_pkey" PRIMARY KEY ("seq")
);

-- CreateIndex
CREATE INDEX "inbox_address_hash_idx" ON "inbox"("address_hash");

-- CreateIndex
CREATE UNIQUE INDEX "inbox_channel_delivery_key" ON "inbox"("channel", "delivery");
