-- Every turn updates its contact (last_seen_at) and its session (state, turn, status, updated_at).
-- Nothing queries by those columns, and indexing them made each update write a new entry in every
-- index of the table. Without them, and with room left on each page, PostgreSQL updates the rows
-- in place (HOT updates).
DROP INDEX "contacts_status_last_seen_at_idx";
DROP INDEX "sessions_status_updated_at_idx";
ALTER TABLE "contacts" SET (fillfactor = 80);
ALTER TABLE "sessions" SET (fillfactor = 70);
