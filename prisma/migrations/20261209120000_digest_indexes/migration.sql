-- Digests (src/repos/digests.ts) read a territory's needs surveys started in two periods: by flow and
-- start time, whatever their status (the index on flow, status and start can't bound the time alone).
CREATE INDEX "survey_runs_flow_id_started_at_idx" ON "survey_runs"("flow_id", "started_at");
