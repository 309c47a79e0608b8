-- A meeting with a capacity keeps a waiting list: a "yes" that comes once the yes answers fill it is
-- stored as `waitlist`, and the first on the list (earliest updated_at) becomes `yes` when a place
-- frees up. The value can't be used in this transaction (PostgreSQL), and nothing here uses it.
ALTER TYPE "rsvp_answer" ADD VALUE 'waitlist';

-- When the person was moved from the waiting list to yes (they have not answered since): who is to be
-- told that a place freed up. Null for an answer the person gave themselves.
ALTER TABLE "rsvps" ADD COLUMN "promoted_at" TIMESTAMPTZ(3);
