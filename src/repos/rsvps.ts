import { z } from "zod";
import type { PrismaClient, Sql, SqlTx } from "../db/index.ts";

/** An answer a person gives to an event (the flow's choices). */
export const RsvpAnswer = z.enum(["yes", "no", "maybe"]);
export type RsvpAnswer = z.infer<typeof RsvpAnswer>;

/** An answer as the rsvp_answer enum stores it: what the person said, or `waitlist` for a yes to a full meeting. */
export const StoredRsvpAnswer = z.enum(["yes", "no", "maybe", "waitlist"]);
export type StoredRsvpAnswer = z.infer<typeof StoredRsvpAnswer>;

/** When a person wants to be reminded, as the reminder_preference enum has it. */
export const ReminderPreference = z.enum(["day_before", "hour_before", "none"]);
export type ReminderPreference = z.infer<typeof ReminderPreference>;

/** Whether a meeting is on (`scheduled`), was `cancelled`, or doesn't exist (undefined). */
export async function meetingStatus(sql: Sql, eventId: string): Promise<"scheduled" | "cancelled" | undefined> {
  const { rows } = await sql.query<{ status: "scheduled" | "cancelled" }>("SELECT status FROM events WHERE id = $1", [eventId]);
  return rows[0]?.status;
}

/** What saving an answer did: the answer stored (none: nothing was), and who moved up from the waiting list. */
export interface SavedRsvp {
  answer: StoredRsvpAnswer | undefined;
  /** Contacts moved from the waiting list to yes by this answer (a yes that became a no or a maybe). */
  promoted: string[];
}

// The meeting's row is locked first, in its own statement: each later statement of the transaction
// reads the RSVPs as committed once the lock is held. (A lock taken inside one statement would not do:
// the statement's snapshot is older than the lock, and two yes answers to the last place would both
// count the same number of yes.) Nothing for a meeting cancelled or gone meanwhile.
const LOCK_MEETING = "SELECT capacity FROM events WHERE id = $1 AND status = 'scheduled' FOR UPDATE";

// A yes to a full meeting (the others' yes answers reach its capacity) is stored as `waitlist`; a person
// who already has a place keeps it (even if the capacity was lowered since), and one already waiting
// keeps their place in the line (updated_at). Then free places go to the earliest of the others waiting
// (the person's own row isn't seen by the statement's other parts, so it is counted from `decided`).
const SAVE = `
WITH decided AS (
  SELECT CASE
    WHEN $3::text = 'yes' AND $5::int IS NOT NULL
     AND NOT EXISTS (SELECT 1 FROM rsvps WHERE event_id = $1 AND contact_id = $2 AND answer = 'yes')
     AND (SELECT count(*) FROM rsvps WHERE event_id = $1 AND contact_id <> $2 AND answer = 'yes') >= $5::int
    THEN 'waitlist' ELSE $3::text END::rsvp_answer AS answer
), saved AS (
  INSERT INTO rsvps (id, event_id, contact_id, answer, reminder, updated_at)
  SELECT gen_random_uuid(), $1, c.id, d.answer, $4::reminder_preference, now() FROM contacts c, decided d
  WHERE c.id = $2 AND c.consent_version IS NOT NULL
  ON CONFLICT (event_id, contact_id) DO UPDATE SET answer = EXCLUDED.answer, reminder = EXCLUDED.reminder, promoted_at = NULL,
    updated_at = CASE WHEN rsvps.answer = 'waitlist' AND EXCLUDED.answer = 'waitlist' THEN rsvps.updated_at ELSE now() END
  RETURNING answer
), promoted AS (
${promote("$5", { except: "$2", alsoYes: "(SELECT count(*) FROM saved WHERE answer = 'yes')" })}
)
SELECT (SELECT answer::text FROM saved) AS answer, ARRAY(SELECT contact_id::text FROM promoted) AS promoted`;

// Free places of meeting $1 go to the earliest waiting (updated_at, then id for a tie); no capacity:
// everyone waiting. `except` leaves one contact out of the line and of the count, `alsoYes` adds to the count.
function promote(capacity: string, { except, alsoYes }: { except?: string; alsoYes?: string } = {}): string {
  const notThem = (alias: string) => (except ? `AND ${alias}.contact_id <> ${except}` : "");
  return `  UPDATE rsvps r SET answer = 'yes', updated_at = now(), promoted_at = now()
  WHERE r.id IN (
    SELECT w.id FROM rsvps w WHERE w.event_id = $1 AND w.answer = 'waitlist' ${notThem("w")}
    ORDER BY w.updated_at, w.id
    LIMIT CASE WHEN ${capacity}::int IS NULL THEN NULL
      ELSE GREATEST(0, ${capacity}::int - (SELECT count(*) FROM rsvps y WHERE y.event_id = $1 AND y.answer = 'yes' ${notThem("y")})${alsoYes ? ` - ${alsoYes}` : ""}) END
  )
  RETURNING r.contact_id`;
}

const FILL = `WITH promoted AS (
${promote("$2")}
) SELECT contact_id::text FROM promoted`;

/**
 * A person's answer to an event, replacing an earlier one: a yes to a full meeting is stored as
 * `waitlist`, and a place freed by this answer goes to the first waiting. Nothing for a contact erased
 * meanwhile or without consent (the engine lets no such contact reach an RSVP; a trigger refuses the
 * row anyway), nor for a meeting cancelled meanwhile.
 */
export async function saveRsvp(sql: Sql, eventId: string, contactId: string, answer: RsvpAnswer, reminder: ReminderPreference): Promise<SavedRsvp> {
  return sql.transaction(async (tx) => {
    const meeting = await lockMeeting(tx, eventId);
    if (!meeting) return { answer: undefined, promoted: [] };
    const { rows } = await tx.query<{ answer: StoredRsvpAnswer | null; promoted: string[] }>(SAVE, [eventId, contactId, answer, reminder, meeting.capacity]);
    const row = rows[0];
    return { answer: row?.answer ?? undefined, promoted: row?.promoted ?? [] };
  });
}

/** Moves the first waiting to yes while the meeting has free places (its capacity raised or removed); the contacts moved. */
export async function fillFreePlaces(prisma: PrismaClient, eventId: string): Promise<string[]> {
  // The meetings service works with Prisma: the same two statements, in one of its transactions.
  return prisma.$transaction(async (tx) => {
    const [meeting] = await tx.$queryRawUnsafe<Array<{ capacity: number | null }>>(LOCK_MEETING, eventId);
    if (!meeting) return [];
    const rows = await tx.$queryRawUnsafe<Array<{ contact_id: string }>>(FILL, eventId, meeting.capacity);
    return rows.map((r) => r.contact_id);
  });
}

async function lockMeeting(tx: SqlTx, eventId: string): Promise<{ capacity: number | null } | undefined> {
  const { rows } = await tx.query<{ capacity: number | null }>(LOCK_MEETING, [eventId]);
  return rows[0];
}

/**
 * Fill the free places of every coming meeting that has both free places and people waiting: a place
 * freed by anything but an answer (the person erased, a capacity raised) goes to the first waiting.
 * Returns how many moved up. Each meeting under its own lock, as `saveRsvp` takes it.
 */
export async function fillAllFreePlaces(sql: Sql, now: Date): Promise<number> {
  const { rows: meetings } = await sql.query<{ id: string }>(
    `SELECT e.id FROM events e
     WHERE e.status = 'scheduled' AND e.starts_at > $1 AND e.capacity IS NOT NULL
       AND EXISTS (SELECT 1 FROM rsvps w WHERE w.event_id = e.id AND w.answer = 'waitlist')
       AND (SELECT count(*) FROM rsvps y WHERE y.event_id = e.id AND y.answer = 'yes') < e.capacity`,
    [now],
  );
  let moved = 0;
  for (const { id } of meetings) {
    moved += await sql.transaction(async (tx) => {
      const meeting = await lockMeeting(tx, id);
      if (!meeting) return 0;
      return (await tx.query(FILL, [id, meeting.capacity])).rowCount ?? 0;
    });
  }
  return moved;
}
