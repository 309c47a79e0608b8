import type { SqlTx } from "../db/sql.ts";
import type { AnswerValue, Event, Session } from "../engine/index.ts";
import { gated, GATE, type Statement } from "./statement.ts";

// contact_pref answers (yes/no) and the enum they set.
const PREFERENCE: Record<string, string> = { yes: "all", no: "none", all: "all", direct_only: "direct_only", none: "none" };

/** What a turn's events write: a statement per row they change, and the contact's one update. */
export interface EventWrites {
  /** In the events' order; each can be gated (see statement.ts). */
  writes: Statement[];
  /** The contact's row, changed once per turn whatever the events (last seen, language, and what they set). */
  contact: Statement;
}

/** The stakeholder tables' side of a turn's events, as statements (nothing is sent). */
export function eventWrites(contactId: string, session: Session, events: readonly Event[], now: Date): EventWrites {
  const writes: Statement[] = [];
  const write = (text: string, values: unknown[]) => writes.push({ text, values });
  const sets: string[] = ["last_seen_at = $2", "language = $3"];
  const values: unknown[] = [contactId, now, session.contact.language];
  const set = (column: string, value: unknown, cast = "") => {
    values.push(value);
    sets.push(`${column} = $${values.length}${cast}`);
  };
  for (const e of events) {
    switch (e.type) {
      case "flow.started":
        write(`INSERT INTO survey_runs (run_id, contact_id, flow_id, flow_version, started_at) SELECT $1, $2, $3, $4, $5 WHERE true ${GATE}`, [e.run, contactId, e.flow, String(e.version), now]);
        break;
      case "flow.completed":
        write(`UPDATE survey_runs SET status = 'completed', completed_at = $2 WHERE run_id = $1 ${GATE}`, [e.run, now]);
        break;
      case "flow.exited":
        write(`UPDATE survey_runs SET status = 'abandoned' WHERE run_id = $1 AND status = 'in_progress' ${GATE}`, [e.run]);
        break;
      case "answer.recorded": {
        const v = answerColumns(e.value);
        write(
          `INSERT INTO answers (id, contact_id, run_id, flow_id, flow_version, question, result_name, kind, value_text, value_number,
             value_choices, value_date, value_lat, value_lon, value_place, media_ref, skipped, language, answered_at)
           SELECT gen_random_uuid(), $1, $2, $3, $4, $5, $6, $7::answer_kind, $8, $9, $10, $11::date, $12, $13, $14, $15, $16, $17, $18 WHERE true ${GATE}
           ON CONFLICT (run_id, question) DO UPDATE SET kind = EXCLUDED.kind, value_text = EXCLUDED.value_text,
             value_number = EXCLUDED.value_number, value_choices = EXCLUDED.value_choices, value_date = EXCLUDED.value_date,
             value_lat = EXCLUDED.value_lat, value_lon = EXCLUDED.value_lon, value_place = EXCLUDED.value_place,
             media_ref = EXCLUDED.media_ref, skipped = EXCLUDED.skipped, language = EXCLUDED.language, answered_at = EXCLUDED.answered_at`,
          [contactId, e.run, e.flow, String(e.version), e.question, e.result, v.kind, v.text, v.number, v.choices, v.date, v.lat, v.lon, v.place, v.media, e.skipped, e.lang, new Date(e.at)],
        );
        break;
      }
      case "answer.cleared":
        write(`DELETE FROM answers WHERE run_id = $1 AND question = $2 ${GATE}`, [e.run, e.question]);
        break;
      case "consent.given":
        set("consent_version", e.version);
        set("consent_at", new Date(e.at));
        break;
      case "consent.declined":
        // Nothing is kept without consent: the runs (and their answers, by cascade) go.
        write(`DELETE FROM survey_runs WHERE run_id = ANY($1::text[]) ${GATE}`, [e.discard]);
        set("consent_version", null);
        set("consent_at", null);
        break;
      case "contact.changed":
        if (e.field === "territory") {
          // Only territories the project works in link the contact; "other" and free text leave it unset.
          values.push(e.value);
          sets.push(`territory_id = (SELECT id FROM territories WHERE id = $${values.length})`);
        } else if (e.field === "contact_pref" && PREFERENCE[e.value]) set("contact_preference", PREFERENCE[e.value], "::contact_preference");
        break;
      case "contact.stopped":
        set("status", "stopped", "::contact_status");
        break;
      case "contact.resumed":
        set("status", "active", "::contact_status");
        break;
      default:
        break;
    }
  }
  return { writes, contact: { text: `UPDATE contacts SET ${sets.join(", ")} WHERE id = $1 ${GATE}`, values } };
}

/**
 * Whether a turn's writes can all go in one statement. Its parts see one snapshot, so none may
 * change a row another part changes (a run started and completed in the same turn, an answer
 * cleared and given again); erasure and a declined consent delete across tables: those turns take
 * a transaction.
 */
export function fitsOneStatement(events: readonly Event[]): boolean {
  const rows = new Set<string>();
  const once = (key: string) => !rows.has(key) && Boolean(rows.add(key));
  for (const e of events) {
    switch (e.type) {
      case "erasure.requested":
      case "consent.declined":
        return false;
      case "flow.started":
      case "flow.completed":
      case "flow.exited":
        if (!once(`run ${e.run}`)) return false;
        break;
      case "answer.recorded":
      case "answer.cleared":
        if (!once(`answer ${e.run} ${e.question}`)) return false;
        break;
      default:
        break;
    }
  }
  return true;
}

/** Apply a turn's events inside the turn's transaction, one statement after another; the contact's update is returned, not sent. */
export async function applyEvents(tx: SqlTx, contactId: string, session: Session, events: readonly Event[], now: Date): Promise<Statement> {
  const { writes, contact } = eventWrites(contactId, session, events, now);
  for (const w of writes) {
    const s = gated(w);
    await tx.query(s.text, s.values);
  }
  return gated(contact);
}

/** An answer's typed value as the answers table's columns. */
export function answerColumns(v: AnswerValue | null): {
  kind: string;
  text: string | null;
  number: number | null;
  choices: string[];
  date: string | null;
  lat: number | null;
  lon: number | null;
  place: string | null;
  media: string | null;
} {
  const empty = { text: null, number: null, choices: [], date: null, lat: null, lon: null, place: null, media: null };
  if (!v) return { kind: "text", ...empty };
  switch (v.kind) {
    case "text":
      return { ...empty, kind: "text", text: v.text };
    case "number":
      return { ...empty, kind: "number", number: v.number };
    case "choice":
      return { ...empty, kind: "choice", choices: v.choices };
    case "date":
      return { ...empty, kind: "date", date: v.date };
    case "location":
      return { ...empty, kind: "location", lat: v.lat ?? null, lon: v.lon ?? null, place: v.place ?? null };
    case "media":
      return { ...empty, kind: "media", media: v.ref };
  }
}
