-- CreateEnum
CREATE TYPE "outbox_kind" AS ENUM ('outbound', 'ingest', 'timer');

-- CreateTable
CREATE TABLE "outbox" (
    "id" TEXT NOT NULL,
    "turn_key" TEXT NOT NULL,
    "contact_id" UUID NOT NULL,
    "kind" "outbox_kind" NOT NULL,
    "payload" JSONB NOT NULL,
    "due_at" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "dispatched_at" TIMESTAMPTZ(3),

    CONSTRAINT "outbox_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "outbox_turn_key_idx" ON "outbox"("turn_key");

-- CreateIndex
CREATE INDEX "outbox_dispatched_at_created_at_idx" ON "outbox"("dispatched_at", "created_at");

-- CreateIndex
CREATE INDEX "outbox_contact_id_idx" ON "outbox"("contact_id");

-- AddForeignKey
ALTER TABLE "outbox" ADD CONSTRAINT "outbox_contact_id_fkey" FOREIGN KEY ("contact_id") REFERENCES "contacts"("id") ON DELETE CASCADE ON UPDATE CASCADE;
