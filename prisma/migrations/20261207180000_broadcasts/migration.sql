-- Broadcasts that are sent: what they carry (a text, a meeting, a flow, a meeting's notices), when they
-- expire, and each person's delivery as a ledger that makes every send happen once.

-- CreateEnum
CREATE TYPE "broadcast_kind" AS ENUM ('announcement', 'meeting', 'flow', 'meeting_reminder', 'meeting_moved', 'meeting_cancelled');

-- AlterEnum: new values are not used in this migration (Postgres allows that inside a transaction).
ALTER TYPE "broadcast_status" ADD VALUE 'paused';
ALTER TYPE "delivery_status" ADD VALUE 'pending';
ALTER TYPE "delivery_status" ADD VALUE 'started';
ALTER TYPE "delivery_status" ADD VALUE 'sending';
ALTER TYPE "delivery_status" ADD VALUE 'blocked';
ALTER TYPE "delivery_status" ADD VALUE 'skipped';

-- AlterTable
ALTER TABLE "broadcasts" ADD COLUMN "kind" "broadcast_kind" NOT NULL DEFAULT 'announcement',
ADD COLUMN "base_language" TEXT NOT NULL DEFAULT 'en',
ADD COLUMN "event_id" UUID,
ADD COLUMN "flow_id" TEXT,
ADD COLUMN "expires_at" TIMESTAMPTZ(3),
ADD COLUMN "quiet_hours" BOOLEAN NOT NULL DEFAULT true,
ADD COLUMN "recipients" INTEGER,
ADD COLUMN "notice_key" TEXT,
ADD COLUMN "started_at" TIMESTAMPTZ(3),
ADD COLUMN "finished_at" TIMESTAMPTZ(3);

ALTER TABLE "deliveries" ADD COLUMN "channel" "channel",
ADD COLUMN "skip_reason" TEXT,
ADD COLUMN "release" INTEGER NOT NULL DEFAULT 0,
ADD COLUMN "released_at" TIMESTAMPTZ(3),
ADD COLUMN "claimed_at" TIMESTAMPTZ(3);

-- CreateIndex
CREATE UNIQUE INDEX "broadcasts_notice_key_key" ON "broadcasts"("notice_key");
CREATE INDEX "broadcasts_event_id_idx" ON "broadcasts"("event_id");

-- AddForeignKey
ALTER TABLE "broadcasts" ADD CONSTRAINT "broadcasts_event_id_fkey" FOREIGN KEY ("event_id") REFERENCES "events"("id") ON DELETE CASCADE ON UPDATE CASCADE;
