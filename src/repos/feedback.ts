import type { Sql } from "../db/index.ts";
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
