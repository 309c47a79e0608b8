import type { AnswerValue, Lexicon } from "../engine/index.ts";
import type { Sql } from "../db/sql.ts";
import { PermanentJobError } from "../queue/errors.ts";
import type { Job } from "../queue/types.ts";
import type { IngestJob } from "../pipeline/jobs.ts";
import { categorize } from "./categorize.ts";

export interface IngestDeps {
  sql: Sql;
  /** Keyword rules for categories (the locale texts). */
  rules: Lexicon;
  log: (line: string) => void;
}

/** Turn conversation events into stakeholder data. Every effect happens once, whatever the retries. */
export function ingestProcessor(deps: IngestDeps) {
  return async (job: Job<IngestJob>): Promise<void> => {
    const e = job.data;
    switch (e.name) {
      case "feedback.submitted":
        return feedback(deps, job.id, e);
      case "flow.started":
        return count(deps.sql, job.id, e, e.flow, "started");
      case "survey.completed":
        return count(deps.sql, job.id, e, typeof e.data.survey === "string" ? e.data.survey : e.flow, "completed");
      case "rsvp.recorded":
        return rsvp(deps.sql, job.id, e);
      default:
        deps.log(`ingest ${job.id}: nothing to do for ${e.name}`);
    }
  };
}

const choice = (v: unknown): string | undefined => ((v as AnswerValue | null)?.kind === "choice" ? (v as { choices: string[] }).choices[0] : undefined);

async function feedback(deps: IngestDeps, id: string, e: IngestJob): Promise<void> {
  const value = e.data.text as AnswerValue | null;
  const text = value?.kind === "text" ? value.text.replace(/\s+/g, " ").trim() : null;
  const mediaRef = value?.kind === "media" ? value.ref : null;
  // The person's own choice wins; otherwise the keyword rules of their language decide.
  const category = choice(e.data.category) ?? (text ? categorize(text, e.language, deps.rules) : "other");
  // One statement: linked to the contact's territory and its task force; nothing if the contact was
  // erased meanwhile; nothing again for a replayed event.
  await deps.sql.query(
    `INSERT INTO feedback (id, source_event_id, contact_id, text, media_ref, category, language, territory_id, task_force_id, contact_back, created_at)
     SELECT gen_random_uuid(), $1, c.id, $2, $3, $4, $5, c.territory_id,
       (SELECT tf.id FROM task_forces tf WHERE tf.territory_id = c.territory_id ORDER BY tf.name LIMIT 1), $6, $7
     FROM contacts c WHERE c.id = $8
     ON CONFLICT (source_event_id) DO NOTHING`,
    [id, text, mediaRef, category, e.language, choice(e.data.contact_back) === "yes", new Date(e.at), e.contactId],
  );
}

async function count(sql: Sql, id: string, e: IngestJob, flowId: string, what: "started" | "completed"): Promise<void> {
  // The receipt and the count in one statement: both or neither, and a replay finds the receipt.
  await sql.query(
    `WITH receipt AS (INSERT INTO ingest_receipts (event_id, kind) VALUES ($1, $2) ON CONFLICT DO NOTHING RETURNING 1)
     INSERT INTO territory_stats (territory_id, flow_id, started, completed, updated_at)
     SELECT t.id, $4, $5, $6, now() FROM territories t WHERE t.id = $3 AND EXISTS (SELECT 1 FROM receipt)
     ON CONFLICT (territory_id, flow_id) DO UPDATE SET started = territory_stats.started + EXCLUDED.started,
       completed = territory_stats.completed + EXCLUDED.completed, updated_at = now()`,
    [id, e.name, e.territory ?? null, flowId, what === "started" ? 1 : 0, what === "completed" ? 1 : 0],
  );
}

const RSVP = new Set(["yes", "no", "maybe"]);
const REMINDER = new Set(["day_before", "hour_before", "none"]);
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

async function rsvp(sql: Sql, id: string, e: IngestJob): Promise<void> {
  const eventId = typeof e.data.event === "string" ? e.data.event : "";
  const answer = choice(e.data.answer);
  if (!UUID.test(eventId) || !answer || !RSVP.has(answer)) throw new PermanentJobError(`rsvp ${id}: no such event or answer (${eventId}, ${answer})`);
  const reminder = choice(e.data.reminder);
  const { rows } = await sql.query<{ exists: boolean }>("SELECT EXISTS (SELECT 1 FROM events WHERE id = $1) AS exists", [eventId]);
  if (!rows[0]?.exists) throw new PermanentJobError(`rsvp ${id}: event ${eventId} does not exist`);
  await sql.query(
    `INSERT INTO rsvps (id, event_id, contact_id, answer, reminder, updated_at)
     SELECT gen_random_uuid(), $1, c.id, $3::rsvp_answer, $4::reminder_preference, now() FROM contacts c WHERE c.id = $2
     ON CONFLICT (event_id, contact_id) DO UPDATE SET answer = EXCLUDED.answer, reminder = EXCLUDED.reminder, updated_at = now()`,
    [eventId, e.contactId, answer, reminder && REMINDER.has(reminder) ? reminder : "none"],
  );
}
