-- CreateEnum
CREATE TYPE "contact_status" AS ENUM ('active', 'stopped', 'erased');

-- CreateEnum
CREATE TYPE "contact_preference" AS ENUM ('all', 'direct_only', 'none');

-- CreateEnum
CREATE TYPE "channel" AS ENUM ('telegram', 'whatsapp', 'terminal');

-- CreateEnum
CREATE TYPE "session_status" AS ENUM ('active', 'waiting', 'completed', 'ended');

-- CreateEnum
CREATE TYPE "survey_run_status" AS ENUM ('in_progress', 'completed', 'abandoned');

-- CreateEnum
CREATE TYPE "answer_kind" AS ENUM ('text', 'number', 'choice', 'date', 'location', 'media');

-- CreateEnum
CREATE TYPE "feedback_status" AS ENUM ('new', 'triaged', 'forwarded', 'resolved');

-- CreateEnum
CREATE TYPE "territory_kind" AS ENUM ('urban', 'rural');

-- CreateEnum
CREATE TYPE "task_force_kind" AS ENUM ('local', 'rural');

-- CreateEnum
CREATE TYPE "organisation_kind" AS ENUM ('civil_society', 'municipality', 'academic', 'employer', 'migrant_led');

-- CreateEnum
CREATE TYPE "membership_role" AS ENUM ('coordinator', 'member', 'observer');

-- CreateEnum
CREATE TYPE "rsvp_answer" AS ENUM ('yes', 'no', 'maybe');

-- CreateEnum
CREATE TYPE "reminder_preference" AS ENUM ('none', 'day_before', 'hour_before');

-- CreateEnum
CREATE TYPE "broadcast_status" AS ENUM ('draft', 'scheduled', 'sending', 'sent', 'cancelled');

-- CreateEnum
CREATE TYPE "delivery_status" AS ENUM ('queued', 'sent', 'failed', 'skipped_opted_out');

-- CreateTable
CREATE TABLE "contacts" (
    "id" UUID NOT NULL,
    "language" TEXT NOT NULL,
    "territory_id" TEXT,
    "status" "contact_status" NOT NULL DEFAULT 'active',
    "consent_version" TEXT,
    "consent_at" TIMESTAMPTZ(3),
    "contact_preference" "contact_preference" NOT NULL DEFAULT 'all',
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "last_seen_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "contacts_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "channel_identities" (
    "id" UUID NOT NULL,
    "contact_id" UUID NOT NULL,
    "channel" "channel" NOT NULL,
    "address_hash" VARCHAR(64) NOT NULL,
    "address_encrypted" BYTEA NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "channel_identities_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "sessions" (
    "id" UUID NOT NULL,
    "contact_id" UUID NOT NULL,
    "flow_id" TEXT NOT NULL,
    "flow_version" TEXT NOT NULL,
    "status" "session_status" NOT NULL DEFAULT 'active',
    "state" JSONB NOT NULL,
    "turn" INTEGER NOT NULL DEFAULT 0,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "sessions_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "survey_runs" (
    "run_id" TEXT NOT NULL,
    "contact_id" UUID NOT NULL,
    "flow_id" TEXT NOT NULL,
    "flow_version" TEXT NOT NULL,
    "status" "survey_run_status" NOT NULL DEFAULT 'in_progress',
    "started_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "completed_at" TIMESTAMPTZ(3),

    CONSTRAINT "survey_runs_pkey" PRIMARY KEY ("run_id")
);

-- CreateTable
CREATE TABLE "answers" (
    "id" UUID NOT NULL,
    "contact_id" UUID NOT NULL,
    "run_id" TEXT NOT NULL,
    "flow_id" TEXT NOT NULL,
    "flow_version" TEXT NOT NULL,
    "question" TEXT NOT NULL,
    "result_name" TEXT NOT NULL,
    "kind" "answer_kind" NOT NULL,
    "value_text" TEXT,
    "value_number" DOUBLE PRECISION,
    "value_choices" TEXT[] DEFAULT ARRAY[]::TEXT[],
    "value_date" DATE,
    "value_lat" DOUBLE PRECISION,
    "value_lon" DOUBLE PRECISION,
    "value_place" TEXT,
    "media_ref" TEXT,
    "skipped" BOOLEAN NOT NULL DEFAULT false,
    "language" TEXT NOT NULL,
    "answered_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "answers_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "feedback" (
    "id" UUID NOT NULL,
    "contact_id" UUID,
    "text" TEXT,
    "media_ref" TEXT,
    "category" TEXT NOT NULL,
    "language" TEXT NOT NULL,
    "territory_id" TEXT,
    "status" "feedback_status" NOT NULL DEFAULT 'new',
    "task_force_id" UUID,
    "contact_back" BOOLEAN NOT NULL DEFAULT false,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "source_event_id" TEXT NOT NULL,

    CONSTRAINT "feedback_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "territories" (
    "id" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "region" TEXT NOT NULL,
    "kind" "territory_kind" NOT NULL,
    "time_zone" TEXT NOT NULL,

    CONSTRAINT "territories_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "task_forces" (
    "id" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "kind" "task_force_kind" NOT NULL,
    "territory_id" TEXT NOT NULL,
    "slack_channel" TEXT,

    CONSTRAINT "task_forces_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "organisations" (
    "id" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "kind" "organisation_kind" NOT NULL,

    CONSTRAINT "organisations_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "memberships" (
    "organisation_id" UUID NOT NULL,
    "task_force_id" UUID NOT NULL,
    "role" "membership_role" NOT NULL DEFAULT 'member',
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "memberships_pkey" PRIMARY KEY ("organisation_id","task_force_id")
);

-- CreateTable
CREATE TABLE "events" (
    "id" UUID NOT NULL,
    "title" JSONB NOT NULL,
    "description" JSONB NOT NULL,
    "starts_at" TIMESTAMPTZ(3) NOT NULL,
    "ends_at" TIMESTAMPTZ(3),
    "time_zone" TEXT NOT NULL,
    "place" TEXT NOT NULL,
    "territory_id" TEXT NOT NULL,
    "capacity" INTEGER,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "events_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "rsvps" (
    "id" UUID NOT NULL,
    "event_id" UUID NOT NULL,
    "contact_id" UUID NOT NULL,
    "answer" "rsvp_answer" NOT NULL,
    "reminder" "reminder_preference" NOT NULL DEFAULT 'day_before',
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "rsvps_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "broadcasts" (
    "id" UUID NOT NULL,
    "messages" JSONB NOT NULL,
    "segment" JSONB NOT NULL,
    "scheduled_at" TIMESTAMPTZ(3),
    "status" "broadcast_status" NOT NULL DEFAULT 'draft',
    "created_by" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "broadcasts_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "deliveries" (
    "id" UUID NOT NULL,
    "broadcast_id" UUID NOT NULL,
    "contact_id" UUID NOT NULL,
    "status" "delivery_status" NOT NULL DEFAULT 'queued',
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "provider_message_id" TEXT,
    "error" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "deliveries_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "audit_log" (
    "id" UUID NOT NULL,
    "actor" TEXT NOT NULL,
    "action" TEXT NOT NULL,
    "subject" TEXT,
    "details" JSONB NOT NULL DEFAULT '{}',
    "at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "audit_log_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "processed_messages" (
    "channel" "channel" NOT NULL,
    "provider_message_id" TEXT NOT NULL,
    "processed_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "processed_messages_pkey" PRIMARY KEY ("channel","provider_message_id")
);

-- CreateTable
CREATE TABLE "territory_stats" (
    "territory_id" TEXT NOT NULL,
    "flow_id" TEXT NOT NULL,
    "started" INTEGER NOT NULL DEFAULT 0,
    "completed" INTEGER NOT NULL DEFAULT 0,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "territory_stats_pkey" PRIMARY KEY ("territory_id","flow_id")
);

-- CreateIndex
CREATE INDEX "contacts_territory_id_status_idx" ON "contacts"("territory_id", "status");

-- CreateIndex
CREATE INDEX "contacts_status_last_seen_at_idx" ON "contacts"("status", "last_seen_at");

-- CreateIndex
CREATE INDEX "channel_identities_contact_id_idx" ON "channel_identities"("contact_id");

-- CreateIndex
CREATE UNIQUE INDEX "channel_identities_channel_address_hash_key" ON "channel_identities"("channel", "address_hash");

-- CreateIndex
CREATE UNIQUE INDEX "sessions_contact_id_key" ON "sessions"("contact_id");

-- CreateIndex
CREATE INDEX "sessions_status_updated_at_idx" ON "sessions"("status", "updated_at");

-- CreateIndex
CREATE INDEX "survey_runs_contact_id_idx" ON "survey_runs"("contact_id");

-- CreateIndex
CREATE INDEX "survey_runs_flow_id_status_started_at_idx" ON "survey_runs"("flow_id", "status", "started_at");

-- CreateIndex
CREATE INDEX "answers_contact_id_idx" ON "answers"("contact_id");

-- CreateIndex
CREATE INDEX "answers_flow_id_result_name_idx" ON "answers"("flow_id", "result_name");

-- CreateIndex
CREATE UNIQUE INDEX "answers_run_id_question_key" ON "answers"("run_id", "question");

-- CreateIndex
CREATE UNIQUE INDEX "feedback_source_event_id_key" ON "feedback"("source_event_id");

-- CreateIndex
CREATE INDEX "feedback_territory_id_status_created_at_idx" ON "feedback"("territory_id", "status", "created_at");

-- CreateIndex
CREATE INDEX "feedback_task_force_id_status_idx" ON "feedback"("task_force_id", "status");

-- CreateIndex
CREATE INDEX "feedback_contact_id_idx" ON "feedback"("contact_id");

-- CreateIndex
CREATE INDEX "territories_region_idx" ON "territories"("region");

-- CreateIndex
CREATE UNIQUE INDEX "task_forces_territory_id_name_key" ON "task_forces"("territory_id", "name");

-- CreateIndex
CREATE UNIQUE INDEX "organisations_name_key" ON "organisations"("name");

-- CreateIndex
CREATE INDEX "memberships_task_force_id_idx" ON "memberships"("task_force_id");

-- CreateIndex
CREATE INDEX "events_territory_id_starts_at_idx" ON "events"("territory_id", "starts_at");

-- CreateIndex
CREATE INDEX "rsvps_contact_id_idx" ON "rsvps"("contact_id");

-- CreateIndex
CREATE UNIQUE INDEX "rsvps_event_id_contact_id_key" ON "rsvps"("event_id", "contact_id");

-- CreateIndex
CREATE INDEX "broadcasts_status_scheduled_at_idx" ON "broadcasts"("status", "scheduled_at");

-- CreateIndex
CREATE INDEX "deliveries_broadcast_id_status_idx" ON "deliveries"("broadcast_id", "status");

-- CreateIndex
CREATE INDEX "deliveries_contact_id_idx" ON "deliveries"("contact_id");

-- CreateIndex
CREATE UNIQUE INDEX "deliveries_broadcast_id_contact_id_key" ON "deliveries"("broadcast_id", "contact_id");

-- CreateIndex
CREATE INDEX "audit_log_subject_at_idx" ON "audit_log"("subject", "at");

-- CreateIndex
CREATE INDEX "audit_log_action_at_idx" ON "audit_log"("action", "at");

-- CreateIndex
CREATE INDEX "processed_messages_processed_at_idx" ON "processed_messages"("processed_at");

-- AddForeignKey
ALTER TABLE "contacts" ADD CONSTRAINT "contacts_territory_id_fkey" FOREIGN KEY ("territory_id") REFERENCES "territories"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "channel_identities" ADD CONSTRAINT "channel_identities_contact_id_fkey" FOREIGN KEY ("contact_id") REFERENCES "contacts"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "sessions" ADD CONSTRAINT "sessions_contact_id_fkey" FOREIGN KEY ("contact_id") REFERENCES "contacts"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "survey_runs" ADD CONSTRAINT "survey_runs_contact_id_fkey" FOREIGN KEY ("contact_id") REFERENCES "contacts"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "answers" ADD CONSTRAINT "answers_contact_id_fkey" FOREIGN KEY ("contact_id") REFERENCES "contacts"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "answers" ADD CONSTRAINT "answers_run_id_fkey" FOREIGN KEY ("run_id") REFERENCES "survey_runs"("run_id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "feedback" ADD CONSTRAINT "feedback_contact_id_fkey" FOREIGN KEY ("contact_id") REFERENCES "contacts"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "feedback" ADD CONSTRAINT "feedback_territory_id_fkey" FOREIGN KEY ("territory_id") REFERENCES "territories"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "feedback" ADD CONSTRAINT "feedback_task_force_id_fkey" FOREIGN KEY ("task_force_id") REFERENCES "task_forces"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "task_forces" ADD CONSTRAINT "task_forces_territory_id_fkey" FOREIGN KEY ("territory_id") REFERENCES "territories"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "memberships" ADD CONSTRAINT "memberships_organisation_id_fkey" FOREIGN KEY ("organisation_id") REFERENCES "organisations"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "memberships" ADD CONSTRAINT "memberships_task_force_id_fkey" FOREIGN KEY ("task_force_id") REFERENCES "task_forces"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "events" ADD CONSTRAINT "events_territory_id_fkey" FOREIGN KEY ("territory_id") REFERENCES "territories"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "rsvps" ADD CONSTRAINT "rsvps_event_id_fkey" FOREIGN KEY ("event_id") REFERENCES "events"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "rsvps" ADD CONSTRAINT "rsvps_contact_id_fkey" FOREIGN KEY ("contact_id") REFERENCES "contacts"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "deliveries" ADD CONSTRAINT "deliveries_broadcast_id_fkey" FOREIGN KEY ("broadcast_id") REFERENCES "broadcasts"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "deliveries" ADD CONSTRAINT "deliveries_contact_id_fkey" FOREIGN KEY ("contact_id") REFERENCES "contacts"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "territory_stats" ADD CONSTRAINT "territory_stats_territory_id_fkey" FOREIGN KEY ("territory_id") REFERENCES "territories"("id") ON DELETE CASCADE ON UPDATE CASCADE;
