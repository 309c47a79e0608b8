-- People moved up from a meeting's waiting list are told they have a place: a notice broadcast per
-- meeting and moment of moving up (the broadcaster finds them by rsvps.promoted_at).
ALTER TYPE "broadcast_kind" ADD VALUE 'meeting_promoted';

CREATE INDEX "rsvps_promoted_at_idx" ON "rsvps"("promoted_at") WHERE "promoted_at" IS NOT NULL;
