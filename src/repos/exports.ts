// What research exports and the terminal report read (src/exports): a flow's survey runs in pages
// (keyset on start time and run id, so memory stays flat however many there are), the answers of a
// page, and counts. The contact id leaves here only to be turned into a pseudonym at once; free text
// and places are read only when the export asks for them.
import type { AnswerValues } from "./answer-values.ts";
import type { Sql } from "../db/index.ts";

/** Which runs an export or report covers: a flow's, started in [from, to), of some territories. */
export interface RunFilter {
  flowId: string;
  from?: Date | undefined;
  to?: Date | undefined;
  /** Territory ids; empty or unset: every territory (and runs of people without one). */
  territories?: readonly string[] | undefined;
}

/** A survey run as an export row starts, with its answers. */
export interface RunRow {
  run_id: string;
  contact_id: string;
  flow_version: string;
  status: "in_progress" | "completed" | "abandoned";
  started_at: Date;
  completed_at: Date | null;
  territory_id: string | null;
  /** The contact's language now (a run without answers has no other). */
  contact_language: string;
  /** Its answers, in the order they were given. */
  answers: AnswerRow[];
}

/** An answer as an export reads it; text and places only when asked for (else null). */
export interface AnswerRow extends AnswerValues {
  result_name: string;
}

/** Where the next page starts: after this run. */
export interface RunCursor {
  startedAt: Date;
  runId: string;
}

// The WHERE clause of a filter on runs `r` joined to contacts `c`, its values added to `values`.
function whereOf(f: RunFilter, values: unknown[]): string {
  values.push(f.flowId);
  const parts = [`r.flow_id = $${values.length}`];
  if (f.from) {
    values.push(f.from);
    parts.push(`r.started_at >= $${values.length}`);
  }
  if (f.to) {
    values.push(f.to);
    parts.push(`r.started_at < $${values.length}`);
  }
  if (f.territories && f.territories.length > 0) {
    values.push(f.territories);
    parts.push(`c.territory_id = ANY($${values.length}::text[])`);
  }
  return parts.join(" AND ");
}

/**
 * One page of a flow's runs, oldest first, after `cursor` (from the start when unset), each with its
 * answers (by the unique index on run and question) as one JSON value: one round trip a page, and
 * JSON.parse instead of a driver's row parsing for each of a million answers.
 */
export async function runPage(sql: Sql, f: RunFilter, cursor: RunCursor | undefined, limit: number, o: { withText: boolean }): Promise<RunRow[]> {
  const values: unknown[] = [];
  let where = whereOf(f, values);
  if (cursor) {
    values.push(cursor.startedAt, cursor.runId);
    // The first half is what the index on (flow_id, started_at) can seek to; the row comparison then
    // drops the runs of that same instant already read. Without it each page scans from the start.
    where += ` AND r.started_at >= $${values.length - 1}::timestamptz AND (r.started_at, r.run_id) > ($${values.length - 1}::timestamptz, $${values.length}::text)`;
  }
  values.push(limit);
  const personal = o.withText ? "'value_text', a.value_text, 'value_lat', a.value_lat, 'value_lon', a.value_lon, 'value_place', a.value_place" : "'value_text', NULL, 'value_lat', NULL, 'value_lon', NULL, 'value_place', NULL";
  const { rows } = await sql.query<RunRow>(
    `SELECT r.run_id, r.contact_id::text AS contact_id, r.flow_version, r.status::text AS status, r.started_at, r.completed_at,
       c.territory_id, c.language AS contact_language,
       coalesce((SELECT json_agg(json_build_object('result_name', a.result_name, 'kind', a.kind, ${personal}, 'value_number', a.value_number,
           'value_choices', a.value_choices, 'value_date', a.value_date, 'skipped', a.skipped, 'language', a.language) ORDER BY a.answered_at)
         FROM answers a WHERE a.run_id = r.run_id), '[]'::json) AS answers
     FROM survey_runs r JOIN contacts c ON c.id = r.contact_id
     WHERE ${where}
     ORDER BY r.started_at, r.run_id
     LIMIT $${values.length}`,
    values,
  );
  return rows;
}

/** A result name as the answers of a flow hold it: in which versions, stored how. */
export interface StoredResultRow {
  result_name: string;
  kind: AnswerRow["kind"];
  flow_version: string;
  answers: number;
  /** The most options one answer holds (more than 1: a multiple choice). */
  most_choices: number;
}

/** Every result name stored for a flow, by kind and flow version. */
export async function storedResults(sql: Sql, flowId: string): Promise<StoredResultRow[]> {
  const { rows } = await sql.query<StoredResultRow>(
    `SELECT result_name, kind::text AS kind, flow_version, count(*)::int AS answers, coalesce(max(cardinality(value_choices)), 0)::int AS most_choices
     FROM answers WHERE flow_id = $1
     GROUP BY result_name, kind, flow_version`,
    [flowId],
  );
  return rows;
}

/** Every option code stored for each result name of a flow. */
export async function storedOptions(sql: Sql, flowId: string): Promise<Array<{ result_name: string; code: string }>> {
  const { rows } = await sql.query<{ result_name: string; code: string }>(
    `SELECT a.result_name, o.code FROM answers a CROSS JOIN LATERAL unnest(a.value_choices) AS o(code)
     WHERE a.flow_id = $1 GROUP BY a.result_name, o.code`,
    [flowId],
  );
  return rows;
}

/** The flow ids that have survey runs. */
export async function flowsWithRuns(sql: Sql): Promise<string[]> {
  const { rows } = await sql.query<{ flow_id: string }>("SELECT DISTINCT flow_id FROM survey_runs ORDER BY flow_id");
  return rows.map((r) => r.flow_id);
}

/** How many runs (and distinct people) a filter covers, by the consent version those people accepted. */
export async function consentVersionCounts(sql: Sql, f: RunFilter): Promise<Array<{ consent_version: string | null; people: number; runs: number }>> {
  const values: unknown[] = [];
  const { rows } = await sql.query<{ consent_version: string | null; people: number; runs: number }>(
    `SELECT c.consent_version, count(DISTINCT c.id)::int AS people, count(*)::int AS runs
     FROM survey_runs r JOIN contacts c ON c.id = r.contact_id
     WHERE ${whereOf(f, values)}
     GROUP BY c.consent_version ORDER BY c.consent_version NULLS LAST`,
    values,
  );
  return rows;
}

// ─── The terminal report ─────────────────────────────────────────────────────────────────────────

// A run's language: that of its first answer, else its contact's now.
const RUN_LANGUAGE = `coalesce((SELECT a1.language FROM answers a1 WHERE a1.run_id = r.run_id ORDER BY a1.answered_at LIMIT 1), c.language)`;

/** Runs of a filter by territory, language and status. */
export interface CompletionRow {
  territory_id: string | null;
  language: string;
  status: RunRow["status"];
  runs: number;
}

/** How many runs a filter covers, by territory, language (the run's) and status. */
export async function completionRows(sql: Sql, f: RunFilter): Promise<CompletionRow[]> {
  const values: unknown[] = [];
  const { rows } = await sql.query<CompletionRow>(
    `SELECT c.territory_id, ${RUN_LANGUAGE} AS language, r.status::text AS status, count(*)::int AS runs
     FROM survey_runs r JOIN contacts c ON c.id = r.contact_id
     WHERE ${whereOf(f, values)}
     GROUP BY 1, 2, 3`,
    values,
  );
  return rows;
}

/**
 * Answers of the runs a filter covers, per result name: skipped ones (value null, skipped true), each
 * option chosen, each number given, and for other kinds (text, dates, places, voice notes) how many
 * were answered (value null) — never what they say.
 */
export interface AnswerCountRow {
  result_name: string;
  skipped: boolean;
  kind: AnswerRow["kind"];
  value: string | null;
  answers: number;
}

/** Counts of the answers of the runs a filter covers, per result name and option (or number). */
export async function answerCountRows(sql: Sql, f: RunFilter): Promise<AnswerCountRow[]> {
  const values: unknown[] = [];
  const { rows } = await sql.query<AnswerCountRow>(
    `SELECT a.result_name, a.skipped, a.kind::text AS kind,
       CASE WHEN a.skipped THEN NULL WHEN a.kind = 'choice' THEN o.code WHEN a.kind = 'number' THEN a.value_number::text END AS value,
       count(*)::int AS answers
     FROM survey_runs r JOIN contacts c ON c.id = r.contact_id
       JOIN answers a ON a.run_id = r.run_id
       LEFT JOIN LATERAL unnest(CASE WHEN a.skipped THEN '{}'::text[] ELSE a.value_choices END) AS o(code) ON true
     WHERE ${whereOf(f, values)}
     GROUP BY 1, 2, 3, 4`,
    values,
  );
  return rows;
}

/** Answers (not skipped) and skips of the runs a filter covers, per result name. */
export async function answerTotals(sql: Sql, f: RunFilter): Promise<Array<{ result_name: string; skipped: boolean; answers: number }>> {
  const values: unknown[] = [];
  const { rows } = await sql.query<{ result_name: string; skipped: boolean; answers: number }>(
    `SELECT a.result_name, a.skipped, count(*)::int AS answers
     FROM survey_runs r JOIN contacts c ON c.id = r.contact_id JOIN answers a ON a.run_id = r.run_id
     WHERE ${whereOf(f, values)}
     GROUP BY 1, 2`,
    values,
  );
  return rows;
}
