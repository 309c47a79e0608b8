-- AlterTable
ALTER TABLE "sessions" ADD COLUMN     "timer_due_at" TIMESTAMPTZ(3);
