// What the database holds about one person, for their rights: finding them by an address (keyed
// hash, no scan), everything held (access, `inloco contact export`) and a short summary (MY DATA).
import type { AnswerRecord } from "./answer-values.ts";
import type { ChannelName } from "../channel/contract.ts";
import type { IdentityVault, Sql } from "../db/index.ts";

/** The contact whose identity on `channel` has this keyed hash (`channel_identities.address_hash`), if any. */
export async function contactByAddressHash(sql: Sql, channel: ChannelName, hash: string): Promise<string | undefined> {
  const { rows } = await sql.query<{ contact_id: string }>("SELECT contact_id FROM channel_identities WHERE channel = $1 AND address_hash = $2", [channel, hash]);
  return rows[0]?.contact_id;
}

/** The contact row, as a person's export shows it. */
export interface HeldContact {
  id: string;
  language: string;
  territory: { id: string; name: string } | null;
  status: string;
  consent_version: string | null;
  consent_at: Date | null;
  contact_preference: string;
  created_at: Date;
  last_seen_at: Date;
}

/** One answer as stored (what the export shows, with question texts added by the caller). */
export interface HeldAnswer extends AnswerRecord {
  answered_at: Date;
}

/** Everything the database holds about one person: their own rows only, addresses decrypted. */
export interface HeldData {
  contact: HeldContact;
  identities: Array<{ channel: string; address: string; created_at: Date }>;
  session: { flow_id: string; flow_version: string; status: string; updated_at: Date } | null;
  runs: Array<{ run_id: string; flow_id: string; flow_version: string; status: string; started_at: Date; completed_at: Date | null }>;
  answers: HeldAnswer[];
  feedback: Array<{ id: string; created_at: Date; text: string | null; media_ref: string | null; category: string; language: string; status: string; territory_id: string | null; contact_back: boolean }>;
  rsvps: Array<{ event_id: string; title: Record<string, string>; base_language: string; starts_at: Date; time_zone: string; place: string; event_status: string; answer: string; reminder: string; updated_at: Date }>;
  deliveries: Array<{ broadcast_id: string; kind: string; status: string; channel: string | null; created_at: Date; updated_at: Date }>;
  audit: Array<{ at: Date; actor: string; action: string; details: unknown }>;
}

/**
 * Everything held about a contact, or undefined when there is no such contact. Addresses are
 * decrypted here, for this person only; the caller keeps them out of logs.
 */
export async function heldData(sql: Sql, vault: IdentityVault, contactId: string): Promise<HeldData | undefined> {
  const contact = await sql.query<Omit<HeldContact, "territory"> & { territory_id: string | null; territory_name: string | null }>(
    `SELECT c.id, c.language, c.territory_id, t.name AS territory_name, c.status::text AS status, c.consent_version, c.consent_at,
            c.contact_preference::text AS contact_preference, c.created_at, c.last_seen_at
     FROM contacts c LEFT JOIN territories t ON t.id = c.territory_id WHERE c.id = $1`,
    [contactId],
  );
  const row = contact.rows[0];
  if (!row) return undefined;
  const { territory_id, territory_name, ...rest } = row;
  const [identities, session, runs, answers, feedback, rsvps, deliveries, audit] = await Promise.all([
    sql.query<{ channel: string; address_encrypted: Buffer; created_at: Date }>(
      "SELECT channel::text AS channel, address_encrypted, created_at FROM channel_identities WHERE contact_id = $1 ORDER BY created_at",
      [contactId],
    ),
    sql.query<NonNullable<HeldData["session"]>>("SELECT flow_id, flow_version, status::text AS status, updated_at FROM sessions WHERE contact_id = $1", [contactId]),
    sql.query<HeldData["runs"][number]>(
      "SELECT run_id, flow_id, flow_version, status::text AS status, started_at, completed_at FROM survey_runs WHERE contact_id = $1 ORDER BY started_at, run_id",
      [contactId],
    ),
    sql.query<HeldAnswer>(
      `SELECT run_id, flow_id, flow_version, question, result_name, kind::text AS kind, value_text, value_number, value_choices,
              to_char(value_date, 'YYYY-MM-DD') AS value_date, value_lat, value_lon, value_place, media_ref, skipped, language, answered_at
       FROM answers WHERE contact_id = $1 ORDER BY answered_at, id`,
      [contactId],
    ),
    sql.query<HeldData["feedback"][number]>(
      `SELECT id, created_at, text, media_ref, category, language, status::text AS status, territory_id, contact_back
       FROM feedback WHERE contact_id = $1 ORDER BY created_at, id`,
      [contactId],
    ),
    sql.query<HeldData["rsvps"][number]>(
      `SELECT r.event_id, e.title, e.base_language, e.starts_at, e.time_zone, e.place, e.status::text AS event_status,
              r.answer::text AS answer, r.reminder::text AS reminder, r.updated_at
       FROM rsvps r JOIN events e ON e.id = r.event_id WHERE r.contact_id = $1 ORDER BY e.starts_at, r.event_id`,
      [contactId],
    ),
    sql.query<HeldData["deliveries"][number]>(
      `SELECT d.broadcast_id, b.kind::text AS kind, d.status::text AS status, d.channel::text AS channel, d.created_at, d.updated_at
       FROM deliveries d JOIN broadcasts b ON b.id = d.broadcast_id WHERE d.contact_id = $1 ORDER BY d.created_at, d.id`,
      [contactId],
    ),
    sql.query<HeldData["audit"][number]>("SELECT at, actor, action, details FROM audit_log WHERE subject = $1 ORDER BY at, id", [contactId]),
  ]);
  return {
    contact: { ...rest, territory: territory_id ? { id: territory_id, name: territory_name ?? territory_id } : null },
    identities: identities.rows.map((r) => ({ channel: r.channel, address: vault.decrypt(r.address_encrypted), created_at: r.created_at })),
    session: session.rows[0] ?? null,
    runs: runs.rows,
    answers: answers.rows,
    feedback: feedback.rows,
    rsvps: rsvps.rows,
    deliveries: deliveries.rows,
    audit: audit.rows,
  };
}

/** What MY DATA tells a person: counts and a few words, nothing they did not give themselves. */
export interface HeldSummary {
  language: string;
  territory: string | null;
  consent_version: string | null;
  consent_at: Date | null;
  /** Survey runs with at least one answer, by flow. */
  surveys: Array<{ flow_id: string; runs: number }>;
  /** The option ids chosen at the given result names (e.g. the needs survey's `priority`), most recent first. */
  chosen: Array<{ flow_id: string; question: string; choice: string }>;
  feedback: number;
  /** Meetings they answered yes, maybe (or wait for a place at), not cancelled: titles by language. */
  meetings: Array<{ title: Record<string, string>; base_language: string; answer: string }>;
}

/** The summary MY DATA shows, or undefined for a contact that isn't there (erased meanwhile). */
export async function heldSummary(sql: Sql, contactId: string, topics: ReadonlyArray<{ flow: string; result: string }>): Promise<HeldSummary | undefined> {
  const { rows } = await sql.query<{ language: string; territory: string | null; consent_version: string | null; consent_at: Date | null; feedback: string }>(
    `SELECT c.language, t.name AS territory, c.consent_version, c.consent_at,
            (SELECT count(*) FROM feedback f WHERE f.contact_id = c.id) AS feedback
     FROM contacts c LEFT JOIN territories t ON t.id = c.territory_id WHERE c.id = $1`,
    [contactId],
  );
  const row = rows[0];
  if (!row) return undefined;
  const [surveys, chosen, meetings] = await Promise.all([
    sql.query<{ flow_id: string; runs: string }>(
      "SELECT flow_id, count(DISTINCT run_id) AS runs FROM answers WHERE contact_id = $1 AND NOT skipped GROUP BY flow_id ORDER BY flow_id",
      [contactId],
    ),
    sql.query<{ flow_id: string; question: string; choice: string }>(
      `SELECT DISTINCT ON (a.flow_id, a.result_name, ch) a.flow_id, a.question, ch AS choice
       FROM answers a, unnest(a.value_choices) AS ch, unnest($2::text[], $3::text[]) AS w(flow, result)
       WHERE a.contact_id = $1 AND a.flow_id = w.flow AND a.result_name = w.result AND NOT a.skipped
       ORDER BY a.flow_id, a.result_name, ch, a.answered_at DESC`,
      [contactId, topics.map((t) => t.flow), topics.map((t) => t.result)],
    ),
    sql.query<{ title: Record<string, string>; base_language: string; answer: string }>(
      `SELECT e.title, e.base_language, r.answer::text AS answer FROM rsvps r JOIN events e ON e.id = r.event_id
       WHERE r.contact_id = $1 AND r.answer IN ('yes', 'maybe', 'waitlist') AND e.status = 'scheduled' ORDER BY e.starts_at, e.id`,
      [contactId],
    ),
  ]);
  return {
    language: row.language,
    territory: row.territory,
    consent_version: row.consent_version,
    consent_at: row.consent_at,
    surveys: surveys.rows.map((r) => ({ flow_id: r.flow_id, runs: Number(r.runs) })),
    chosen: chosen.rows,
    feedback: Number(row.feedback),
    meetings: meetings.rows,
  };
}
