import type { AnswerValue, Lexicon } from "../engine/index.ts";
import type { Sql } from "../db/sql.ts";
import { PermanentJobError } from "../queue/errors.ts";
import type { Job } from "../queue/types.ts";
import type { IngestJob } from "../jobs/jobs.ts";
import { RowBatcher } from "../batch/row-batcher.ts";
import { categorize } from "./categorize.ts";

export interface IngestDeps {
  sql: Sql;
  /** Keyword rules for categories (the locale texts). */
  rules: Lexicon;
  log: (line: string) => void;
}

/** Turn conversation events into stakeholder data. Every effect happens once, whatever the retries. */
export function ingestProcessor(deps: IngestDeps) {
  // Jobs run concurrently; those that arrive while a statement is in flight share the next one.
  const feedback = new RowBatcher<FeedbackRow>((rows) => insertFeedback(deps.sql, rows));
  const counts = new RowBatcher<CountRow>((rows) => addCounts(deps.sql, rows));
  return async (job: Job<IngestJob>): Promise<void> => {
    const e = job.data;
    switch (e.name) {
      case "feedback.submitted":
        return feedback.add(feedbackRow(deps, job.id, e));
      case "flow.started":
        return counts.add(countRow(job.id, e, e.flow, "started"));
      case "survey.completed":
        return counts.add(countRow(job.id, e, typeof e.data.survey === "string" ? e.data.survey : e.flow, "completed"));
      case "rsvp.recorded":
        return rsvp(deps.sql, job.id, e);
      default:
        deps.log(`ingest ${job.id}: nothing to do for ${e.name}`);
    }
  };
}

const choice = (v: unknown): string | undefined => ((v as AnswerValue | null)?.kind === "choice" ? (v as { choices: string[] }).choices[0] : undefined);

interface FeedbackRow {
  eventId: string;
  contactId: string | null;
  text: string | null;
  mediaRef: string | null;
  category: string;
  language: string;
  contactBack: boolean;
  at: Date;
}

function feedbackRow(deps: IngestDeps, id: string, e: IngestJob): FeedbackRow {
  const value = e.data.text as AnswerValue | null;
  const text = value?.kind === "text" ? value.text.replace(/\s+/g, " ").trim() : null;
  const mediaRef = value?.kind === "media" ? value.ref : null;
  // The person's own choice wins; otherwise the keyword rules of their language decide.
  const category = choice(e.data.category) ?? (text ? categorize(text, e.language, deps.rules) : "other");
  return { eventId: id, contactId: e.contactId ?? null, text, mediaRef, category, language: e.language, contactBack: choice(e.data.contact_back) === "yes", at: new Date(e.at) };
}

// One statement for any number of rows (arrays, so it is one prepared statement whatever the
// count): each linked to its contact's territory and task force; nothing for a contact erased
// meanwhile; nothing again for a replayed event.
async function insertFeedback(sql: Sql, rows: readonly FeedbackRow[]): Promise<void> {
  await sql.query(
    `INSERT INTO feedback (id, source_event_id, contact_id, text, media_ref, category, language, territory_id, task_force_id, contact_back, created_at)
     SELECT gen_random_uuid(), v.event_id, c.id, v.text, v.media_ref, v.category, v.language, c.territory_id,
       (SELECT tf.id FROM task_forces tf WHERE tf.territory_id = c.territory_id ORDER BY tf.name LIMIT 1), v.contact_back, v.at
     FROM unnest($1::text[], $2::uuid[], $3::text[], $4::text[], $5::text[], $6::text[], $7::boolean[], $8::timestamptz[])
       AS v(event_id, contact_id, text, media_ref, category, language, contact_back, at)
     JOIN contacts c ON c.id = v.contact_id
     ON CONFLICT (source_event_id) DO NOTHING`,
    columns(rows, ["eventId", "contactId", "text", "mediaRef", "category", "language", "contactBack", "at"]),
  );
}

interface CountRow {
  eventId: string;
  kind: string;
  territory: string | null;
  flow: string;
  started: number;
  completed: number;
}

function countRow(id: string, e: IngestJob, flow: string, what: "started" | "completed"): CountRow {
  return { eventId: id, kind: e.name, territory: e.territory ?? null, flow, started: what === "started" ? 1 : 0, completed: what === "completed" ? 1 : 0 };
}

// Receipts and counts in one statement: both or neither, a replayed event finds its receipt and
// adds nothing (an event twice in one batch counts once), and each territory's row is updated once.
async function addCounts(sql: Sql, rows: readonly CountRow[]): Promise<void> {
  await sql.query(
    `WITH v AS (
       SELECT DISTINCT ON (event_id) * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::int[], $6::int[])
         AS v(event_id, kind, territory_id, flow_id, started, completed)
     ),
     receipt AS (INSERT INTO ingest_receipts (event_id, kind) SELECT event_id, kind FROM v ON CONFLICT DO NOTHING RETURNING event_id),
     fresh AS (
       SELECT v.territory_id, v.flow_id, sum(v.started)::int AS started, sum(v.completed)::int AS completed
       FROM v JOIN receipt r ON r.event_id = v.event_id JOIN territories t ON t.id = v.territory_id
       GROUP BY v.territory_id, v.flow_id
     )
     INSERT INTO territory_stats (territory_id, flow_id, started, completed, updated_at)
     SELECT territory_id, flow_id, started, completed, now() FROM fresh
     ON CONFLICT (territory_id, flow_id) DO UPDATE SET started = territory_stats.started + EXCLUDED.started,
       completed = territory_stats.completed + EXCLUDED.completed, updated_at = now()`,
    columns(rows, ["eventId", "kind", "territory", "flow", "started", "completed"]),
  );
}

/** Rows as one array per field, in the order given: the parameters of an `unnest(…)` statement. */
function columns<R, K extends keyof R>(rows: readonly R[], keys: readonly K[]): unknown[][] {
  return keys.map((k) => rows.map((r) => r[k]));
}

const RSVP = new Set(["yes", "no", "maybe"]);
const REMINDER = new Set(["day_before", "hour_before", "none"]);
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

// Nothing for a contact erased meanwhile or without consent (the engine lets no such contact reach
// an RSVP; a trigger refuses the row anyway).
async function rsvp(sql: Sql, id: string, e: IngestJob): Promise<void> {
  const eventId = typeof e.data.event === "string" ? e.data.event : "";
  const answer = choice(e.data.answer);
  if (!UUID.test(eventId) || !answer || !RSVP.has(answer)) throw new PermanentJobError(`rsvp ${id}: no such event or answer (${eventId}, ${answer})`);
  const reminder = choice(e.data.reminder);
  const { rows } = await sql.query<{ exists: boolean }>("SELECT EXISTS (SELECT 1 FROM events WHERE id = $1) AS exists", [eventId]);
  if (!rows[0]?.exists) throw new PermanentJobError(`rsvp ${id}: event ${eventId} does not exist`);
  await sql.query(
    `INSERT INTO rsvps (id, event_id, contact_id, answer, reminder, updated_at)
     SELECT gen_random_uuid(), $1, c.id, $3::rsvp_answer, $4::reminder_preference, now() FROM contacts c
     WHERE c.id = $2 AND c.consent_version IS NOT NULL
     ON CONFLICT (event_id, contact_id) DO UPDATE SET answer = EXCLUDED.answer, reminder = EXCLUDED.reminder, updated_at = now()`,
    [eventId, e.contactId, answer, reminder && REMINDER.has(reminder) ? reminder : "none"],
  );
}
