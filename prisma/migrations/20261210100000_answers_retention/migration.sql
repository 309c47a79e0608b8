-- INLOCO_ANSWERS_KEEP (src/repos/answer-retention.ts): answers and feedback older than the window are
-- found by their time, hourly, in batches: without these each sweep would read the whole table.
CREATE INDEX "answers_answered_at_idx" ON "answers"("answered_at");
CREATE INDEX "feedback_created_at_idx" ON "feedback"("created_at");
