// What a task force's digest reads (src/digests): counts per territory and period, never a person.
// A few statements per digest, each bounded by the territory or task force and the two periods
// (this one and the one before, of the same length), so each stays fast on millions of answers.
// Nothing here returns a contact id, an address or an answer's free text; feedback's text is cut
// here and masked by the digest.
import type { Sql } from "../db/index.ts";

/** A task force as its digest is addressed and dated. */
/** The two periods a digest compares: [previousFrom, from) and [from, to). */
export interface DigestPeriods {
  previousFrom: Date;
  from: Date;
  to: Date;
}

/**
 * An answer (by result name) that shows a need (src/digests/needs.ts says which): one of some options
 * chosen, something chosen other than some options, anything chosen, or a number at most some value.
 * A skipped answer shows nothing.
 */
export type AnswerTest =
  | { result: string; anyOf: readonly string[] }
  | { result: string; anyBut: readonly string[] }
  | { result: string; chosen: true }
  | { result: string; atMost: number };

/** Runs of one group: of this period or the previous, completed or not, with one top priority (or none). */
export interface NeedsRow {
  current: boolean;
  completed: boolean;
  priority: string | null;
  runs: number;
  /** Runs showing each need, in the order of the needs given. */
  needs: number[];
}

// A test as SQL on the answer `a`, its values added to `values`.
function testSql(test: AnswerTest, values: unknown[]): string {
  values.push(test.result);
  const name = `a.result_name = $${values.length}`;
  if ("anyOf" in test) {
    values.push(test.anyOf);
    return `(${name} AND a.value_choices && $${values.length}::text[])`;
  }
  if ("anyBut" in test) {
    values.push(test.anyBut);
    return `(${name} AND cardinality(a.value_choices) > 0 AND NOT a.value_choices <@ $${values.length}::text[])`;
  }
  if ("chosen" in test) return `(${name} AND cardinality(a.value_choices) > 0)`;
  values.push(test.atMost);
  return `(${name} AND a.value_number <= $${values.length}::float8)`;
}

/**
 * Runs of a flow started in either period by contacts of the territory, grouped by period, completion
 * and top priority, with how many of them show each need. One statement: the runs by the flow and start
 * time, their answers by run (the unique index on run and question), only the answers the tests name.
 */
export async function needsRows(
  sql: Sql,
  o: DigestPeriods & { territoryId: string; flowId: string; priorityResult: string; needs: ReadonlyArray<readonly AnswerTest[]> },
): Promise<NeedsRow[]> {
  const values: unknown[] = [o.flowId, o.from, o.previousFrom, o.to, o.territoryId, o.priorityResult];
  const names = [...new Set([o.priorityResult, ...o.needs.flatMap((tests) => tests.map((t) => t.result))])];
  values.push(names);
  const namesAt = values.length;
  const perNeed = o.needs.map((tests, i) => `coalesce(bool_or(NOT a.skipped AND (${tests.map((t) => testSql(t, values)).join(" OR ") || "false"})), false) AS n${i}`);
  const counts = o.needs.map((_, i) => `count(*) FILTER (WHERE n${i})::int AS n${i}`);
  const { rows } = await sql.query<Record<string, unknown>>(
    `WITH runs AS (
       SELECT r.run_id, r.started_at >= $2 AS current, r.status = 'completed' AS completed
       FROM survey_runs r JOIN contacts c ON c.id = r.contact_id
       WHERE r.flow_id = $1 AND r.started_at >= $3 AND r.started_at < $4 AND c.territory_id = $5
     ),
     per_run AS (
       SELECT runs.current, runs.completed,
         max(a.value_choices[1]) FILTER (WHERE a.result_name = $6 AND NOT a.skipped) AS priority
         ${perNeed.map((p) => `, ${p}`).join("")}
       FROM runs LEFT JOIN answers a ON a.run_id = runs.run_id AND a.result_name = ANY($${namesAt}::text[])
       GROUP BY runs.run_id, runs.current, runs.completed
     )
     SELECT current, completed, priority, count(*)::int AS runs ${counts.map((c) => `, ${c}`).join("")}
     FROM per_run GROUP BY current, completed, priority`,
    values,
  );
  return rows.map((r) => ({
    current: r.current as boolean,
    completed: r.completed as boolean,
    priority: (r.priority as string | null) ?? null,
    runs: r.runs as number,
    needs: o.needs.map((_, i) => r[`n${i}`] as number),
  }));
}

/** Contacts of the territory seen in each period, and those first seen in this one, by language. */
export interface ReachRow {
  language: string;
  current: number;
  previous: number;
  new: number;
}

/**
 * People of the territory reached in each period, by language. A contact is seen in a period when it
 * first wrote then, wrote last then, or started a survey run then (a contact keeps only the time of
 * its last message, so for a period in the past the runs say who was there).
 */
export async function reachRows(sql: Sql, o: DigestPeriods & { territoryId: string }): Promise<ReachRow[]> {
  const seen = (from: string, to: string) =>
    `((c.created_at >= ${from} AND c.created_at < ${to}) OR (c.last_seen_at >= ${from} AND c.last_seen_at < ${to})
      OR EXISTS (SELECT 1 FROM survey_runs r WHERE r.contact_id = c.id AND r.started_at >= ${from} AND r.started_at < ${to}))`;
  const { rows } = await sql.query<ReachRow>(
    `SELECT c.language, count(*) FILTER (WHERE ${seen("$2", "$3")})::int AS current, count(*) FILTER (WHERE ${seen("$1", "$2")})::int AS previous,
       count(*) FILTER (WHERE c.created_at >= $2 AND c.created_at < $3)::int AS new
     FROM contacts c
     WHERE c.territory_id = $4 AND c.created_at < $3
     GROUP BY c.language`,
    [o.previousFrom, o.from, o.to, o.territoryId],
  );
  return rows.filter((r) => r.current + r.previous + r.new > 0);
}

/** Feedback routed to a task force in each period, by topic. */
export interface TopicRow {
  topic: string;
  current: number;
  previous: number;
}

/** Feedback routed to the task force, by topic, in each period. */
export async function feedbackTopicRows(sql: Sql, o: DigestPeriods & { taskForceId: string }): Promise<TopicRow[]> {
  const { rows } = await sql.query<TopicRow>(
    `SELECT category AS topic, count(*) FILTER (WHERE created_at >= $2)::int AS current, count(*) FILTER (WHERE created_at < $2)::int AS previous
     FROM feedback WHERE task_force_id = $4 AND created_at >= $1 AND created_at < $3
     GROUP BY category`,
    [o.previousFrom, o.from, o.to, o.taskForceId],
  );
  return rows;
}

/** A piece of feedback as a task force sees it: its text cut short (and still to be masked), never its contact. */
export interface FeedbackItemRow {
  id: string;
  topic: string;
  /** The first characters of what was written; null for a voice note, or once the contact is erased. */
  text: string | null;
  voice: boolean;
  status: "new" | "triaged" | "forwarded" | "resolved" | "not_for_us";
  /** The contact agreed to be contacted back and is still there to be. */
  contactBack: boolean;
  createdAt: Date;
  triagedBy: string | null;
  triagedAt: Date | null;
  territoryId: string | null;
  taskForceId: string | null;
}

// Enough characters for an excerpt of 200 once masked and cut at a word; the rest never leaves the database.
const ITEM = `SELECT f.id::text AS id, f.category AS topic, left(f.text, 400) AS text, f.media_ref IS NOT NULL AS voice, f.status::text AS status,
  (f.contact_back AND f.contact_id IS NOT NULL) AS "contactBack", f.created_at AS "createdAt", f.triaged_by AS "triagedBy", f.triaged_at AS "triagedAt",
  f.territory_id AS "territoryId", f.task_force_id::text AS "taskForceId"`;

/**
 * Feedback routed to the task force in the period: up to `perTopic` of each topic, those not yet
 * triaged first, then the newest.
 */
export async function feedbackItemRows(sql: Sql, o: { taskForceId: string; from: Date; to: Date; perTopic: number }): Promise<FeedbackItemRow[]> {
  const { rows } = await sql.query<FeedbackItemRow>(
    `${ITEM} FROM (
       SELECT *, row_number() OVER (PARTITION BY category ORDER BY status = 'new' DESC, created_at DESC, id) AS rank
       FROM feedback WHERE task_force_id = $1 AND created_at >= $2 AND created_at < $3
     ) f WHERE f.rank <= $4
     ORDER BY f.status = 'new' DESC, f.created_at DESC, f.id`,
    [o.taskForceId, o.from, o.to, o.perTopic],
  );
  return rows;
}

/** One piece of feedback (a new-feedback notice, a button's handler), or null. */
export async function feedbackItemRow(sql: Sql, id: string): Promise<FeedbackItemRow | null> {
  const { rows } = await sql.query<FeedbackItemRow>(`${ITEM} FROM feedback f WHERE f.id::text = lower($1)`, [id]);
  return rows[0] ?? null;
}

/** A meeting not over yet, with how many answered yes, maybe, no, or wait for a place. */
export interface ComingMeetingRow {
  id: string;
  title: Record<string, string>;
  baseLanguage: string;
  startsAt: Date;
  endsAt: Date | null;
  timeZone: string;
  place: string;
  capacity: number | null;
  yes: number;
  maybe: number;
  no: number;
  waitlist: number;
}

/** The territory's scheduled meetings not over at `now` held by this task force or by nobody in particular, soonest first. */
export async function comingMeetingRows(sql: Sql, o: { territoryId: string; taskForceId: string; now: Date; limit: number }): Promise<ComingMeetingRow[]> {
  const { rows } = await sql.query<ComingMeetingRow>(
    `SELECT e.id::text AS id, e.title, e.base_language AS "baseLanguage", e.starts_at AS "startsAt", e.ends_at AS "endsAt", e.time_zone AS "timeZone",
       e.place, e.capacity,
       count(v.id) FILTER (WHERE v.answer = 'yes')::int AS yes, count(v.id) FILTER (WHERE v.answer = 'maybe')::int AS maybe,
       count(v.id) FILTER (WHERE v.answer = 'no')::int AS no, count(v.id) FILTER (WHERE v.answer = 'waitlist')::int AS waitlist
     FROM events e LEFT JOIN rsvps v ON v.event_id = e.id
     WHERE e.territory_id = $1 AND (e.task_force_id = $2::uuid OR e.task_force_id IS NULL) AND e.status = 'scheduled'
       AND coalesce(e.ends_at, e.starts_at) >= $3
     GROUP BY e.id ORDER BY e.starts_at, e.id LIMIT $4`,
    [o.territoryId, o.taskForceId, o.now, o.limit],
  );
  return rows;
}
