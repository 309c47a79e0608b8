// The turns statement: any number of turns (of different contacts) written by one statement, each
// only if its session is still at the turn it was read at. One text whatever the turns hold, so it
// is prepared once per connection; the rows travel as JSON, one parameter per table.
import type { SqlTx } from "../db/index.ts";
import type { TurnPart } from "./turn-rows.ts";

/** What became of one turn of the statement. */
export interface TurnOutcome {
  /** Its session was written (and everything else of it with it). */
  saved: boolean;
  /** Its delivery had a receipt already: a repeat. */
  seen: boolean;
}

/** The statement's text (exported for the test of its plan). */
// Every write is joined with `ok`: the contacts whose session this statement wrote (or, for a later
// part of a turn, whose session the part before wrote). All parts see one snapshot, so each turn
// changes each row at most once (see turnParts) and a contact has one turn per statement.
export const TURNS = `WITH t AS MATERIALIZED (
  SELECT x.*, (x.dmid IS NOT NULL AND EXISTS (SELECT 1 FROM processed_messages p WHERE p.channel = x.dch AND p.provider_message_id = x.dmid)) AS seen
  FROM json_to_recordset($1::json) AS x(i int, contact_id uuid, write_session boolean, state jsonb, turn int, flow_id text, flow_version text,
    status session_status, at timestamptz, prev int, timer timestamptz, dch channel, dmid text, language text, consent_set boolean,
    consent_version text, consent_at timestamptz, territory_set boolean, territory text, preference contact_preference, contact_status contact_status)
  -- Always true; it tells the planner the rows are few (a function's rows count as 100, a range condition on them as
  -- 0.5%): otherwise, before a table is big, it plans hash joins over whole tables instead of a few index lookups.
  WHERE x.i >= 0 AND x.i < 2147483647
),
s AS (
  UPDATE sessions SET state = t.state, turn = t.turn, flow_id = t.flow_id, flow_version = t.flow_version, status = t.status,
    updated_at = t.at, timer_due_at = GREATEST(sessions.timer_due_at, t.timer),
    timer_turn = CASE WHEN t.timer >= sessions.timer_due_at OR (t.timer IS NOT NULL AND sessions.timer_due_at IS NULL) THEN t.turn ELSE sessions.timer_turn END
  FROM t WHERE t.write_session AND NOT t.seen AND sessions.contact_id = t.contact_id AND sessions.turn = t.prev
  RETURNING sessions.contact_id
),
s0 AS (
  INSERT INTO sessions (id, contact_id, state, turn, flow_id, flow_version, status, updated_at, timer_due_at, timer_turn)
  SELECT gen_random_uuid(), t.contact_id, t.state, t.turn, t.flow_id, t.flow_version, t.status, t.at, t.timer, CASE WHEN t.timer IS NOT NULL THEN t.turn END FROM t
  WHERE t.write_session AND NOT t.seen AND t.prev = 0 AND NOT EXISTS (SELECT 1 FROM s WHERE s.contact_id = t.contact_id)
  ON CONFLICT (contact_id) DO NOTHING RETURNING contact_id
),
ok AS (SELECT contact_id FROM s UNION ALL SELECT contact_id FROM s0 UNION ALL SELECT contact_id FROM t WHERE NOT t.write_session),
-- No ON CONFLICT: a receipt written meanwhile by another try of the same delivery fails the statement.
receipt AS (
  INSERT INTO processed_messages (channel, provider_message_id)
  SELECT t.dch, t.dmid FROM t JOIN ok ON ok.contact_id = t.contact_id WHERE t.write_session AND t.dmid IS NOT NULL
),
-- The accepted message (in-process queues) is consumed with its receipt; a repeat's too.
consumed AS (
  DELETE FROM inbox USING t WHERE t.write_session AND t.dmid IS NOT NULL AND inbox.channel = t.dch AND inbox.message_id = t.dmid
    AND (t.seen OR EXISTS (SELECT 1 FROM ok WHERE ok.contact_id = t.contact_id))
),
runs AS (
  SELECT r.* FROM json_to_recordset($4::json) AS r(contact_id uuid, run_id text, op text, flow_id text, flow_version text, at timestamptz)
  JOIN ok ON ok.contact_id = r.contact_id
),
started AS (
  INSERT INTO survey_runs (run_id, contact_id, flow_id, flow_version, started_at)
  SELECT run_id, contact_id, flow_id, flow_version, at FROM runs WHERE op = 'start'
),
ended AS (
  UPDATE survey_runs SET status = CASE WHEN r.op = 'complete' THEN 'completed'::survey_run_status ELSE 'abandoned'::survey_run_status END,
    completed_at = CASE WHEN r.op = 'complete' THEN r.at ELSE survey_runs.completed_at END
  FROM runs r WHERE survey_runs.run_id = r.run_id AND (r.op = 'complete' OR (r.op = 'exit' AND survey_runs.status = 'in_progress'))
),
discarded AS (DELETE FROM survey_runs USING runs r WHERE survey_runs.run_id = r.run_id AND r.op = 'discard'),
answered AS (
  INSERT INTO answers (id, contact_id, run_id, flow_id, flow_version, question, result_name, kind, value_text, value_number,
    value_choices, value_date, value_lat, value_lon, value_place, media_ref, skipped, language, answered_at)
  SELECT gen_random_uuid(), a.contact_id, a.run_id, a.flow_id, a.flow_version, a.question, a.result_name, a.kind, a.value_text, a.value_number,
    a.value_choices, a.value_date, a.value_lat, a.value_lon, a.value_place, a.media_ref, a.skipped, a.language, a.answered_at
  FROM json_to_recordset($2::json) AS a(contact_id uuid, run_id text, flow_id text, flow_version text, question text, result_name text,
    kind answer_kind, value_text text, value_number double precision, value_choices text[], value_date date, value_lat double precision,
    value_lon double precision, value_place text, media_ref text, skipped boolean, language text, answered_at timestamptz)
  JOIN ok ON ok.contact_id = a.contact_id
  ON CONFLICT (run_id, question) DO UPDATE SET kind = EXCLUDED.kind, value_text = EXCLUDED.value_text,
    value_number = EXCLUDED.value_number, value_choices = EXCLUDED.value_choices, value_date = EXCLUDED.value_date,
    value_lat = EXCLUDED.value_lat, value_lon = EXCLUDED.value_lon, value_place = EXCLUDED.value_place,
    media_ref = EXCLUDED.media_ref, skipped = EXCLUDED.skipped, language = EXCLUDED.language, answered_at = EXCLUDED.answered_at
),
cleared AS (
  DELETE FROM answers USING json_to_recordset($3::json) AS c(contact_id uuid, run_id text, question text), ok
  WHERE ok.contact_id = c.contact_id AND answers.run_id = c.run_id AND answers.question = c.question
),
contact AS (
  UPDATE contacts c SET last_seen_at = t.at, language = t.language,
    consent_version = CASE WHEN t.consent_set THEN t.consent_version ELSE c.consent_version END,
    consent_at = CASE WHEN t.consent_set THEN t.consent_at ELSE c.consent_at END,
    territory_id = CASE WHEN t.territory_set THEN (SELECT id FROM territories WHERE id = t.territory) ELSE c.territory_id END,
    contact_preference = COALESCE(t.preference, c.contact_preference),
    status = COALESCE(t.contact_status, c.status)
  FROM t JOIN ok ON ok.contact_id = t.contact_id WHERE c.id = t.contact_id
),
outboxed AS (
  -- Pending (done_at null) for the relay at start when the queues live in this process ($6); else done.
  INSERT INTO outbox (id, turn_key, contact_id, kind, payload, due_at, done_at)
  SELECT o.id, o.turn_key, o.contact_id, o.kind, o.payload, o.due_at, CASE WHEN $6::boolean THEN NULL ELSE now() END
  FROM json_to_recordset($5::json) AS o(id text, turn_key text, contact_id uuid, kind outbox_kind, payload jsonb, due_at timestamptz)
  JOIN ok ON ok.contact_id = o.contact_id
)
SELECT t.i, EXISTS (SELECT 1 FROM ok WHERE ok.contact_id = t.contact_id) AS saved, t.seen FROM t`;

/**
 * Write the parts of turns of different contacts in one statement; each part's outcome, in order.
 * Parts of one contact are written one after the other, in order. `pendingOutbox`: the outbox is
 * written not done, for the relay at start (in-process queues); with Redis it is written done.
 */
export async function writeTurnParts(on: SqlTx, parts: readonly TurnPart[], pendingOutbox = true): Promise<TurnOutcome[]> {
  const outcomes: TurnOutcome[] = new Array(parts.length);
  for (const round of rounds(parts)) {
    const turns = [];
    const answers = [];
    const cleared = [];
    const runs = [];
    const outbox = [];
    for (const [i, p] of round) {
      turns.push({ ...p.turn, i });
      answers.push(...p.answers);
      cleared.push(...p.cleared);
      runs.push(...p.runs);
      outbox.push(...p.outbox);
    }
    const { rows } = await on.query<{ i: number; saved: boolean; seen: boolean }>(TURNS, [
      JSON.stringify(turns),
      JSON.stringify(answers),
      JSON.stringify(cleared),
      JSON.stringify(runs),
      JSON.stringify(outbox),
      pendingOutbox,
    ]);
    for (const row of rows) outcomes[row.i] = { saved: row.saved, seen: row.seen };
  }
  return outcomes;
}

/** The parts with their positions, in rounds where each contact appears at most once. */
function rounds(parts: readonly TurnPart[]): Array<Array<[number, TurnPart]>> {
  const out: Array<Array<[number, TurnPart]>> = [];
  const seen: Array<Set<string>> = [];
  parts.forEach((p, i) => {
    let r = 0;
    while (seen[r]?.has(p.turn.contact_id)) r++;
    (seen[r] ??= new Set()).add(p.turn.contact_id);
    (out[r] ??= []).push([i, p]);
  });
  return out;
}
