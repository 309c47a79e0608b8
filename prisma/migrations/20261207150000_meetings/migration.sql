-- CreateEnum
CREATE TYPE "event_status" AS ENUM ('scheduled', 'cancelled');

-- AlterTable
ALTER TABLE "events" ADD COLUMN     "base_language" TEXT NOT NULL DEFAULT 'en',
ADD COLUMN     "cancelled_at" TIMESTAMPTZ(3),
ADD COLUMN     "status" "event_status" NOT NULL DEFAULT 'scheduled',
ADD COLUMN     "task_force_id" UUID,
ADD COLUMN     "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP;

-- Events written before this migration: last changed when created, and written in English unless
-- they have no English title (then in the first language they have one in).
UPDATE "events" SET "updated_at" = "created_at";
UPDATE "events" SET "base_language" = (SELECT min(k) FROM jsonb_object_keys("title") AS k)
  WHERE NOT ("title" ? 'en') AND jsonb_typeof("title") = 'object' AND "title" <> '{}'::jsonb;

-- AddForeignKey
ALTER TABLE "events" ADD CONSTRAINT "events_task_force_id_fkey" FOREIGN KEY ("task_force_id") REFERENCES "task_forces"("id") ON DELETE SET NULL ON UPDATE CASCADE;
