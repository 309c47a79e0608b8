import type { Sql, SqlTx } from "../db/index.ts";
import { columns } from "./columns.ts";

/** A feedback item as the ingest worker makes it from a `feedback.submitted` event. */
export interface FeedbackRow {
  /** The ingest event's id: the same event never makes two rows. */
  eventId: string;
  contactId: string | null;
  text: string | null;
  mediaRef: string | null;
  category: string;
  language: string;
  contactBack: boolean;
  at: Date;
}

/**
 * Any number of feedback items in one statement (arrays, so it is one prepared statement whatever
 * the count): each linked to its contact's territory and task force; nothing for a contact erased
 * meanwhile; nothing again for a replayed event.
 */
export async function insertFeedback(sql: Sql, rows: readonly FeedbackRow[]): Promise<void> {
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

/** How a task force can mark a feedback item. */
export type TriageStatus = "forwarded" | "resolved" | "not_for_us";

/** A feedback item as staff see it: never its person, only whether they can be answered. */
export interface FeedbackItemRow {
  id: string;
  category: string;
  language: string;
  status: string;
  text: string | null;
  created_at: Date;
  task_force_id: string | null;
  task_force_name: string | null;
  slack_channel: string | null;
  /** The task force's working language. */
  task_force_language: string | null;
  time_zone: string | null;
  /** They asked to be contacted back and are still reachable (not erased, not stopped). */
  can_reply: boolean;
  triaged_by: string | null;
  triaged_at: Date | null;
}

const ITEM = `SELECT f.id, f.category, f.language, f.status::text AS status, f.text, f.created_at, f.task_force_id,
    tf.name AS task_force_name, tf.slack_channel, tf.language AS task_force_language, t.time_zone,
    (f.contact_back AND c.id IS NOT NULL AND c.status = 'active') AS can_reply, f.triaged_by, f.triaged_at
  FROM feedback f LEFT JOIN task_forces tf ON tf.id = f.task_force_id LEFT JOIN territories t ON t.id = COALESCE(f.territory_id, tf.territory_id)
  LEFT JOIN contacts c ON c.id = f.contact_id`;

/** One feedback item, or undefined. */
export async function findFeedback(sql: SqlTx, id: string): Promise<FeedbackItemRow | undefined> {
  const { rows } = await sql.query<FeedbackItemRow>(`${ITEM} WHERE f.id = $1`, [id]);
  return rows[0];
}

/** Set a feedback item's status, who did it and when; its audit row in the same transaction. Undefined: no such item. */
export async function setFeedbackStatus(sql: Sql, id: string, status: TriageStatus, actor: string, now: Date): Promise<FeedbackItemRow | undefined> {
  return sql.transaction(async (tx) => {
    const { rows } = await tx.query<{ before: string }>(
      `UPDATE feedback f SET status = $2::feedback_status, triaged_by = $3, triaged_at = $4
       FROM (SELECT id, status::text AS before FROM feedback WHERE id = $1 FOR UPDATE) old WHERE f.id = old.id RETURNING old.before`,
      [id, status, actor, now],
    );
    if (!rows[0]) return undefined;
    await tx.query("INSERT INTO audit_log (id, actor, action, subject, details, at) VALUES (gen_random_uuid(), $1, 'feedback_triage', $2, $3, $4)", [
      actor,
      id,
      JSON.stringify({ from: rows[0].before, to: status }),
      now,
    ]);
    return findFeedback(tx, id);
  });
}

/**
 * Take the feedback of a task force not yet shown to it and older than `settledBefore` (so a burst goes
 * in one notice) and younger than a week (older feedback is in the digests already: a task force that
 * gets a channel is not flooded with its past): marked shown, their ids oldest first. `releaseNotice` hands them back if the notice fails.
 */
export async function takeUnnoticedFeedback(sql: Sql, taskForceId: string, settledBefore: Date, now: Date, limit: number): Promise<string[]> {
  const { rows } = await sql.query<{ id: string; created_at: Date }>(
    `UPDATE feedback SET noticed_at = $3 WHERE id IN (
       SELECT id FROM feedback WHERE task_force_id = $1 AND noticed_at IS NULL AND status = 'new' AND created_at <= $2 AND created_at > $3::timestamptz - interval '7 days'
       ORDER BY created_at LIMIT $4 FOR UPDATE SKIP LOCKED)
     RETURNING id, created_at`,
    [taskForceId, settledBefore, now, limit],
  );
  return rows.sort((a, b) => a.created_at.getTime() - b.created_at.getTime()).map((r) => r.id);
}

/** How much feedback of a task force is still waiting to be shown (after a notice took its share). */
export async function unnoticedCount(sql: Sql, taskForceId: string): Promise<number> {
  const { rows } = await sql.query<{ n: string }>("SELECT count(*) AS n FROM feedback WHERE task_force_id = $1 AND noticed_at IS NULL AND status = 'new' AND created_at > now() - interval '7 days'", [taskForceId]);
  return Number(rows[0]?.n ?? 0);
}

/** Hand feedback back to be shown in a later notice (the notice could not be posted). */
export async function releaseNotice(sql: Sql, ids: readonly string[]): Promise<void> {
  await sql.query("UPDATE feedback SET noticed_at = NULL WHERE id = ANY($1::uuid[])", [[...ids]]);
}

/** Who a reply to a feedback item goes to: its person, their language, and the task force's name. */
export async function replyTarget(sql: Sql, id: string): Promise<{ contact_id: string; language: string; task_force_name: string | null } | undefined> {
  const { rows } = await sql.query<{ contact_id: string; language: string; task_force_name: string | null }>(
    `SELECT c.id AS contact_id, c.language, tf.name AS task_force_name FROM feedback f JOIN contacts c ON c.id = f.contact_id
     LEFT JOIN task_forces tf ON tf.id = f.task_force_id
     WHERE f.id = $1 AND f.contact_back AND c.status = 'active' AND c.consent_version IS NOT NULL`,
    [id],
  );
  return rows[0];
}
