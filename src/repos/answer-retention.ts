// INLOCO_ANSWERS_KEEP: answers older than the window are deleted, and feedback older than it keeps its
// topic, territory and task force but loses its text, its voice note and its person, as an erasure
// leaves it. Survey runs that ended (completed or abandoned) before the window and have no answers
// left go too: a run row still says who took which survey when, and the counts that outlive people
// are in territory_stats. A run still in progress stays (its next answers refer to it).
import type { Sql } from "../db/index.ts";

/** Rows the answers window removed or anonymised, by table. */
export interface Expired {
  answers: number;
  runs: number;
  feedback: number;
}

// Each statement changes at most this many rows: short locks and small transactions, however much is due.
const CHUNK = 5000;

// SKIP LOCKED: another process sweeping at the same moment takes other rows instead of waiting.
const STATEMENTS: ReadonlyArray<readonly [keyof Expired, string]> = [
  ["answers", "DELETE FROM answers WHERE id = ANY (ARRAY (SELECT id FROM answers WHERE answered_at < $1 LIMIT $2 FOR UPDATE SKIP LOCKED))"],
  [
    "runs",
    `DELETE FROM survey_runs WHERE run_id = ANY (ARRAY (
       SELECT r.run_id FROM survey_runs r
       WHERE r.status <> 'in_progress' AND r.started_at < $1 AND NOT EXISTS (SELECT 1 FROM answers a WHERE a.run_id = r.run_id)
       LIMIT $2 FOR UPDATE SKIP LOCKED))`,
  ],
  [
    "feedback",
    // As erasure does: the event id it came from (which the person's other records shared) becomes a random one.
    `UPDATE feedback SET text = NULL, media_ref = NULL, contact_id = NULL, source_event_id = 'expired-' || gen_random_uuid()
     WHERE id = ANY (ARRAY (
       SELECT id FROM feedback WHERE created_at < $1 AND (text IS NOT NULL OR media_ref IS NOT NULL OR contact_id IS NOT NULL)
       LIMIT $2 FOR UPDATE SKIP LOCKED))`,
  ],
];

/** Delete answers (and ended runs left empty) and anonymise feedback written before `before`, in chunks. */
export async function expireAnswers(sql: Sql, before: Date, chunk = CHUNK): Promise<Expired> {
  const expired: Expired = { answers: 0, runs: 0, feedback: 0 };
  for (const [key, text] of STATEMENTS) {
    for (;;) {
      const { rowCount } = await sql.query(text, [before, chunk]);
      expired[key] += rowCount ?? 0;
      if ((rowCount ?? 0) < chunk) break;
    }
  }
  return expired;
}
