-- The Slack app: task forces' working language, feedback triage (who, when, "not for us"), which
-- feedback a task force was shown, replies to feedback as one-person broadcasts, and the digests ledger.
ALTER TYPE "feedback_status" ADD VALUE 'not_for_us';
ALTER TYPE "broadcast_kind" ADD VALUE 'feedback_reply';

ALTER TABLE "task_forces" ADD COLUMN "language" TEXT NOT NULL DEFAULT 'en';

ALTER TABLE "feedback" ADD COLUMN "triaged_by" TEXT,
  ADD COLUMN "triaged_at" TIMESTAMPTZ(3),
  ADD COLUMN "noticed_at" TIMESTAMPTZ(3);
CREATE INDEX "feedback_task_force_id_created_at_idx" ON "feedback"("task_force_id", "created_at");
-- The notice's batch: the feedback of a task force not shown yet.
CREATE INDEX "feedback_unnoticed_idx" ON "feedback"("task_force_id") WHERE "noticed_at" IS NULL;

CREATE TYPE "digest_kind" AS ENUM ('weekly', 'on_demand');
CREATE TYPE "digest_status" AS ENUM ('posting', 'posted', 'failed');

CREATE TABLE "digests" (
    "id" UUID NOT NULL,
    "task_force_id" UUID NOT NULL,
    "kind" "digest_kind" NOT NULL,
    "period_start" TIMESTAMPTZ(3) NOT NULL,
    "period_end" TIMESTAMPTZ(3) NOT NULL,
    "status" "digest_status" NOT NULL DEFAULT 'posting',
    "channel" TEXT,
    "message_ts" TEXT,
    "chart_posted" BOOLEAN NOT NULL DEFAULT false,
    "error" TEXT,
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "claimed_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "posted_at" TIMESTAMPTZ(3),
    "requested_by" TEXT NOT NULL DEFAULT 'system',

    CONSTRAINT "digests_pkey" PRIMARY KEY ("id")
);
CREATE INDEX "digests_task_force_id_kind_period_start_idx" ON "digests"("task_force_id", "kind", "period_start");
-- A weekly digest is made once per task force and period, whichever process gets there first.
CREATE UNIQUE INDEX "digests_weekly_once" ON "digests"("task_force_id", "period_start") WHERE "kind" = 'weekly';
ALTER TABLE "digests" ADD CONSTRAINT "digests_task_force_id_fkey" FOREIGN KEY ("task_force_id") REFERENCES "task_forces"("id") ON DELETE CASCADE ON UPDATE CASCADE;
