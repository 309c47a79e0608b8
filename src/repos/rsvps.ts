import { z } from "zod";
import type { Sql } from "../db/index.ts";

/** An answer to an event, as the rsvp_answer enum has it. */
export const RsvpAnswer = z.enum(["yes", "no", "maybe"]);
export type RsvpAnswer = z.infer<typeof RsvpAnswer>;

/** When a person wants to be reminded, as the reminder_preference enum has it. */
export const ReminderPreference = z.enum(["day_before", "hour_before", "none"]);
export type ReminderPreference = z.infer<typeof ReminderPreference>;

/** Whether a meeting is on (`scheduled`), was `cancelled`, or doesn't exist (undefined). */
export async function meetingStatus(sql: Sql, eventId: string): Promise<"scheduled" | "cancelled" | undefined> {
  const { rows } = await sql.query<{ status: "scheduled" | "cancelled" }>("SELECT status FROM events WHERE id = $1", [eventId]);
  return rows[0]?.status;
}

/**
 * A person's answer to an event, replacing an earlier one. Nothing for a contact erased meanwhile or
 * without consent (the engine lets no such contact reach an RSVP; a trigger refuses the row anyway),
 * nor for a meeting cancelled meanwhile.
 */
export async function saveRsvp(sql: Sql, eventId: string, contactId: string, answer: RsvpAnswer, reminder: ReminderPreference): Promise<void> {
  await sql.query(
    `INSERT INTO rsvps (id, event_id, contact_id, answer, reminder, updated_at)
     SELECT gen_random_uuid(), $1, c.id, $3::rsvp_answer, $4::reminder_preference, now() FROM contacts c
     WHERE c.id = $2 AND c.consent_version IS NOT NULL AND EXISTS (SELECT 1 FROM events e WHERE e.id = $1 AND e.status = 'scheduled')
     ON CONFLICT (event_id, contact_id) DO UPDATE SET answer = EXCLUDED.answer, reminder = EXCLUDED.reminder, updated_at = now()`,
    [eventId, contactId, answer, reminder],
  );
}
