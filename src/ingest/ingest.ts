import type { AnswerValue, Lexicon } from "../engine/index.ts";
import type { Sql } from "../db/index.ts";
import { PermanentJobError } from "../queue/errors.ts";
import type { Job } from "../queue/types.ts";
import type { IngestJob } from "../jobs/jobs.ts";
import type { Log } from "../log/log.ts";
import { RowBatcher } from "../batch/row-batcher.ts";
import { insertFeedback, type FeedbackRow } from "../repos/feedback.ts";
import { meetingStatus, ReminderPreference, RsvpAnswer, saveRsvp } from "../repos/rsvps.ts";
import { addCounts, type CountRow } from "../repos/territory-stats.ts";
import { categorize } from "./categorize.ts";

export interface IngestDeps {
  sql: Sql;
  /** Keyword rules for categories (the locale texts). */
  rules: Lexicon;
  log: Log;
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
        return rsvp(deps.sql, deps.log, job.id, e);
      default:
        deps.log.info(`ingest ${job.id}: nothing to do for ${e.name}`);
    }
  };
}

const choice = (v: unknown): string | undefined => ((v as AnswerValue | null)?.kind === "choice" ? (v as { choices: string[] }).choices[0] : undefined);

function feedbackRow(deps: IngestDeps, id: string, e: IngestJob): FeedbackRow {
  const value = e.data.text as AnswerValue | null;
  const text = value?.kind === "text" ? value.text.replace(/\s+/g, " ").trim() : null;
  const mediaRef = value?.kind === "media" ? value.ref : null;
  // The person's own choice wins; otherwise the keyword rules of their language decide.
  const category = choice(e.data.category) ?? (text ? categorize(text, e.language, deps.rules) : "other");
  return { eventId: id, contactId: e.contactId ?? null, text, mediaRef, category, language: e.language, contactBack: choice(e.data.contact_back) === "yes", at: new Date(e.at) };
}

function countRow(id: string, e: IngestJob, flow: string, what: "started" | "completed"): CountRow {
  return { eventId: id, kind: e.name, territory: e.territory ?? null, flow, started: what === "started" ? 1 : 0, completed: what === "completed" ? 1 : 0 };
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

// Nothing for a contact erased meanwhile or without consent (see saveRsvp).
async function rsvp(sql: Sql, log: Log, id: string, e: IngestJob): Promise<void> {
  const eventId = typeof e.data.event === "string" ? e.data.event : "";
  const answer = RsvpAnswer.safeParse(choice(e.data.answer));
  if (!UUID.test(eventId) || !answer.success) throw new PermanentJobError(`rsvp ${id}: no such event or answer (${eventId}, ${choice(e.data.answer)})`);
  const reminder = ReminderPreference.safeParse(choice(e.data.reminder));
  const status = await meetingStatus(sql, eventId);
  if (!status) throw new PermanentJobError(`rsvp ${id}: event ${eventId} does not exist`);
  // An answer to a meeting cancelled since it was asked (an old button) means nothing now.
  if (status === "cancelled") return log.info(`rsvp ${id}: meeting ${eventId} is cancelled, the answer is not recorded`);
  const saved = await saveRsvp(sql, eventId, e.contactId, answer.data, reminder.success ? reminder.data : "none");
  if (saved.answer === "waitlist") log.info(`rsvp ${id}: meeting ${eventId} is full, the yes is on its waiting list`);
  // The people moved up are told by the broadcaster, which finds them by rsvps.promoted_at.
  if (saved.promoted.length > 0) log.info(`rsvp ${id}: ${saved.promoted.length} moved up from the waiting list of meeting ${eventId}`);
}
