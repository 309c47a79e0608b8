-- "delivery" meant two things (an inbound message's receipt, a broadcast message we send): the inbox
-- now says message_id, as its inbound jobs do.
ALTER TABLE "inbox" RENAME COLUMN "delivery" TO "message_id";
ALTER INDEX "inbox_channel_delivery_key" RENAME TO "inbox_channel_message_id_key";

-- Messages still waiting carry the inbound job as queued: its key is renamed too.
UPDATE "inbox" SET "payload" = ("payload" - 'delivery') || jsonb_build_object('messageId', "payload"->'delivery') WHERE "payload" ? 'delivery';
