// A territory's week, seeded row by row so every count a digest shows is known in advance: needs
// survey runs in groups of identical answers (this week, the week before, another territory), people
// who only wrote, feedback (with a name, a phone number and an e-mail address in it; a voice note; one
// whose writer was erased), meetings with their answers. The expected numbers are worked out below.
import { randomUUID } from "node:crypto";
import type { Sql } from "../../src/db/index.ts";
import type { PrismaClient } from "../../src/generated/prisma/client.ts";
import { seedDemo } from "../../src/repos/seed.ts";

/** Monday 1 March 2027, 00:00 in Rome: the digest's week is [FROM, TO), the week before is compared. */
export const FROM = new Date("2027-02-28T23:00:00Z");
export const TO = new Date("2027-03-07T23:00:00Z");
export const PREVIOUS_FROM = new Date("2027-02-21T23:00:00Z");
const DAY = 86_400_000;

/** An answer: an option (or yes/no), several options, a number, or skipped (null). */
type Value = string | string[] | number | null;
type Answers = Record<string, Value>;

interface Group {
  n: number;
  territory: string;
  language: string;
  /** When the runs start (and the people last wrote). */
  at: Date;
  status: "completed" | "in_progress" | "abandoned";
  answers: Answers;
}

// This week in Val di Susa (15 runs, 12 completed):
//   housing   G1 6 + G3 2 = 8 | work G1 6 | language G2 3 | health G2 3 | documents G4 1 | education G6 2 | social G4 1 + G6 2 = 3
//   priorities: housing 6 + 2 = 8, language 3, social 2, documents 1
// The week before (14 runs, all completed): housing H1 5, work H2 7; priorities housing 5, work 7.
const GROUPS: Group[] = [
  { n: 6, territory: "valsusa", language: "ar", at: new Date(FROM.getTime() + 1 * DAY), status: "completed", answers: { housing: "reception", housing_help: "yes", work: "looking", priority: "housing" } },
  { n: 3, territory: "valsusa", language: "uk", at: new Date(FROM.getTime() + 2 * DAY), status: "completed", answers: { housing: "stable", language_course: "wants", health: "no", priority: "language" } },
  { n: 2, territory: "valsusa", language: "fa", at: new Date(FROM.getTime() + 3 * DAY), status: "in_progress", answers: { housing: null, housing_help: "yes", priority: "housing" } },
  { n: 1, territory: "valsusa", language: "it", at: new Date(FROM.getTime() + 4 * DAY), status: "completed", answers: { documents: "asylum", legal_help: "yes", social: 2, priority: "documents" } },
  { n: 1, territory: "valsusa", language: "en", at: new Date(FROM.getTime() + 4 * DAY), status: "abandoned", answers: { health_needs: ["none"], health: "yes", childcare: ["none"], own_study: "no", social: 4, priority: null } },
  { n: 2, territory: "valsusa", language: "fa", at: new Date(FROM.getTime() + 5 * DAY), status: "completed", answers: { social_wish: ["sport", "culture"], childcare: ["school"], priority: "social" } },
  // The week before.
  { n: 5, territory: "valsusa", language: "ar", at: new Date(PREVIOUS_FROM.getTime() + 1 * DAY), status: "completed", answers: { housing: "friends", priority: "housing" } },
  { n: 7, territory: "valsusa", language: "uk", at: new Date(PREVIOUS_FROM.getTime() + 2 * DAY), status: "completed", answers: { work: "unable", priority: "work" } },
  { n: 2, territory: "valsusa", language: "en", at: new Date(PREVIOUS_FROM.getTime() + 3 * DAY), status: "completed", answers: { language_course: "attending" } },
  // Not counted: another territory, and before the week before.
  { n: 4, territory: "torino", language: "ar", at: new Date(FROM.getTime() + 1 * DAY), status: "completed", answers: { housing: "reception", priority: "housing" } },
  { n: 3, territory: "valsusa", language: "ar", at: new Date(PREVIOUS_FROM.getTime() - 3 * DAY), status: "completed", answers: { housing: "none", priority: "housing" } },
];

/** What the seeded week holds, for the assertions. */
export interface SeededWeek {
  taskForceId: string;
  /** Every contact id seeded: none may come out of a digest. */
  contactIds: string[];
  /** Ids of feedback in the week, by what they are. */
  feedback: { named: string; voice: string; erased: string; forwarded: string };
  meetingId: string;
}

/** What a person wrote, with their name, phone number and e-mail address in it. */
export const NAMED_TEXT =
  "My name is Amira Haddad and the landlord wants us out of the flat by Friday. Please call me on +39 333 123 4567 or write to amira.haddad@example.org, we have two children and nowhere to go.";

/** Seeds the week on a migrated database (the demo territories and task forces too). */
export async function seedWeek(db: { prisma: PrismaClient; sql: Sql }): Promise<SeededWeek> {
  await seedDemo(db.prisma, FROM);
  const sql = db.sql;
  await sql.query("DELETE FROM events");
  const { rows } = await sql.query<{ id: string }>("SELECT id::text AS id FROM task_forces WHERE territory_id = 'valsusa'");
  const taskForceId = (rows[0] as { id: string }).id;
  const contactIds: string[] = [];
  const contact = async (territory: string, language: string, createdAt: Date, lastSeenAt: Date) => {
    const id = randomUUID();
    contactIds.push(id);
    await sql.query(
      `INSERT INTO contacts (id, language, territory_id, consent_version, consent_at, created_at, last_seen_at) VALUES ($1, $2, $3, '1', $4, $4, $5)`,
      [id, language, territory, createdAt, lastSeenAt],
    );
    // A name kept among the contact's fields (a flow may ask for one): a digest never reads sessions.
    await sql.query(
      `INSERT INTO sessions (id, contact_id, flow_id, flow_version, status, state, updated_at) VALUES (gen_random_uuid(), $1, 'main', '1', 'completed', $2, now())`,
      [id, JSON.stringify({ contact: { language, fields: { name: "Zainab Okafor", phone: "+39 347 765 4321" } } })],
    );
    return id;
  };
  const longAgo = new Date("2026-10-01T10:00:00Z");
  for (const g of GROUPS) {
    for (let i = 0; i < g.n; i++) {
      const id = await contact(g.territory, g.language, longAgo, g.at);
      const run = randomUUID();
      await sql.query(
        `INSERT INTO survey_runs (run_id, contact_id, flow_id, flow_version, status, started_at, completed_at) VALUES ($1, $2, 'needs', '1', $3, $4, $5)`,
        [run, id, g.status, g.at, g.status === "completed" ? new Date(g.at.getTime() + 600_000) : null],
      );
      let minute = 0;
      for (const [result, value] of Object.entries(g.answers)) {
        const kind = typeof value === "number" ? "number" : "choice";
        const choices = value === null || typeof value === "number" ? [] : Array.isArray(value) ? value : [value];
        await sql.query(
          `INSERT INTO answers (id, contact_id, run_id, flow_id, flow_version, question, result_name, kind, value_number, value_choices, skipped, language, answered_at)
           VALUES (gen_random_uuid(), $1, $2, 'needs', '1', $3, $3, $4, $5, $6, $7, $8, $9)`,
          [id, run, result, kind, typeof value === "number" ? value : null, choices, value === null, g.language, new Date(g.at.getTime() + ++minute * 30_000)],
        );
      }
    }
  }
  // A feedback run in the week: not a needs survey, not counted among surveys.
  const writer = contactIds[0] as string;
  await sql.query(`INSERT INTO survey_runs (run_id, contact_id, flow_id, flow_version, status, started_at) VALUES ($1, $2, 'feedback', '1', 'completed', $3)`, [randomUUID(), writer, new Date(FROM.getTime() + DAY)]);
  // People who only wrote this week, first seen in it: 2 ar, 3 uk, 1 ti. Reached this week: 15 + 6 = 21
  // (ar 8, uk 6, fa 4, it 1, en 1, ti 1); the week before: 14 (the runs), plus nobody else.
  for (const language of ["ar", "ar", "uk", "uk", "uk", "ti"]) await contact("valsusa", language, new Date(FROM.getTime() + 2 * DAY), new Date(FROM.getTime() + 2 * DAY + 60_000));
  // Someone of Torino who wrote this week: not Val di Susa's.
  await contact("torino", "en", longAgo, new Date(FROM.getTime() + DAY));

  // Feedback routed to Val di Susa's task force. This week: housing 6, health 2, discrimination 1 (9);
  // the week before: housing 5, health 1 (6).
  const feedback = async (o: { topic: string; at: Date; text: string | null; contactId?: string | null; contactBack?: boolean; media?: string; status?: string; by?: string }) => {
    const id = randomUUID();
    await sql.query(
      `INSERT INTO feedback (id, contact_id, text, media_ref, category, language, territory_id, task_force_id, contact_back, created_at, source_event_id, status, triaged_by, triaged_at)
       VALUES ($1, $2, $3, $4, $5, 'en', 'valsusa', $6, $7, $8, $9, $10, $11, $12)`,
      [id, o.contactId === undefined ? writer : o.contactId, o.text, o.media ?? null, o.topic, taskForceId, o.contactBack ?? false, o.at, `test:${id}`, o.status ?? "new", o.by ?? null, o.by ? new Date(o.at.getTime() + 3_600_000) : null],
    );
    return id;
  };
  const inWeek = (h: number) => new Date(FROM.getTime() + h * 3_600_000);
  const named = await feedback({ topic: "housing", at: inWeek(45), text: NAMED_TEXT, contactBack: true });
  for (let i = 0; i < 4; i++) await feedback({ topic: "housing", at: inWeek(40 + i), text: `The rent went up again, number ${i + 1} of us can't pay it.` });
  const forwarded = await feedback({ topic: "housing", at: inWeek(20), text: "The shelter closes at 7 and we work until 8.", status: "forwarded", by: "U0123ABCD" });
  const voice = await feedback({ topic: "health", at: inWeek(50), text: null, media: "voice:abc", contactBack: true });
  await feedback({ topic: "health", at: inWeek(60), text: "No doctor takes new patients in Susa." });
  // Its writer was erased: no text, no contact, and so no way to contact them back.
  const erased = await feedback({ topic: "discrimination", at: inWeek(70), text: null, contactId: null, contactBack: true });
  for (let i = 0; i < 5; i++) await feedback({ topic: "housing", at: new Date(PREVIOUS_FROM.getTime() + (i + 1) * 3_600_000), text: "Old housing feedback." });
  await feedback({ topic: "health", at: new Date(PREVIOUS_FROM.getTime() + 10 * 3_600_000), text: "Old health feedback." });

  // Meetings: one coming in Val di Susa (yes 6, maybe 2, no 1), one cancelled, one over, one in Torino.
  const meeting = async (o: { territory: string; startsAt: Date; status?: string; title: Record<string, string> }) => {
    const id = randomUUID();
    await sql.query(
      `INSERT INTO events (id, title, description, base_language, starts_at, time_zone, place, territory_id, capacity, status)
       VALUES ($1, $2, '{}', 'en', $3, 'Europe/Rome', 'Biblioteca civica, Bussoleno', $4, 30, $5)`,
      [id, o.title, o.startsAt, o.territory, o.status ?? "scheduled"],
    );
    return id;
  };
  const meetingId = await meeting({ territory: "valsusa", startsAt: new Date(TO.getTime() + 2 * DAY + 17 * 3_600_000), title: { en: "Winter plan", it: "Piano per l'inverno" } });
  await meeting({ territory: "valsusa", startsAt: new Date(TO.getTime() + 3 * DAY), status: "cancelled", title: { en: "Cancelled meeting" } });
  await meeting({ territory: "valsusa", startsAt: new Date(FROM.getTime() + DAY), title: { en: "Meeting already held" } });
  await meeting({ territory: "torino", startsAt: new Date(TO.getTime() + DAY), title: { en: "Torino meeting" } });
  const answers = ["yes", "yes", "yes", "yes", "yes", "yes", "maybe", "maybe", "no"];
  for (const [i, answer] of answers.entries()) {
    await sql.query(`INSERT INTO rsvps (id, event_id, contact_id, answer, updated_at) VALUES (gen_random_uuid(), $1, $2, $3, now())`, [meetingId, contactIds[i], answer]);
  }
  return { taskForceId, contactIds, feedback: { named, voice, erased, forwarded }, meetingId };
}
