// A turn as rows: what its session write and its events change in the stakeholder tables, as
// plain values for the turns statement (turn-statement.ts). Pure: nothing is sent or written here.
import type { TurnRecord } from "../conversation/store.ts";
import type { AnswerValue, Event } from "../engine/index.ts";

/** The turn's session write (the first part only) and its contact's one update. */
export interface TurnRow {
  contact_id: string;
  /** False for the later parts of a turn that takes more than one statement: the session is written by the first. */
  write_session: boolean;
  state: unknown;
  turn: number;
  flow_id: string;
  flow_version: string;
  status: "active" | "waiting" | "completed" | "ended";
  at: Date;
  /** The turn the session was read at: written only if it still is. */
  prev: number;
  /** When the timer this turn queues fires: the latest one is kept on the session. */
  timer: string | null;
  /** The delivery, whose receipt must not exist yet. */
  dch: string | null;
  dmid: string | null;
  language: string;
  consent_set: boolean;
  consent_version: string | null;
  consent_at: string | null;
  territory_set: boolean;
  territory: string | null;
  preference: string | null;
  contact_status: "active" | "stopped" | null;
}

export interface AnswerRow {
  contact_id: string;
  run_id: string;
  flow_id: string;
  flow_version: string;
  question: string;
  result_name: string;
  kind: string;
  value_text: string | null;
  value_number: number | null;
  value_choices: string[];
  value_date: string | null;
  value_lat: number | null;
  value_lon: number | null;
  value_place: string | null;
  media_ref: string | null;
  skipped: boolean;
  language: string;
  answered_at: string;
}

export interface ClearedRow {
  contact_id: string;
  run_id: string;
  question: string;
}

/** A survey run started, completed, exited (abandoned if still in progress) or discarded (deleted with its answers). */
export interface RunRow {
  contact_id: string;
  run_id: string;
  op: "start" | "complete" | "exit" | "discard";
  flow_id: string;
  flow_version: string;
  at: Date;
}

export interface OutboxRow {
  id: string;
  turn_key: string;
  contact_id: string;
  kind: string;
  payload: Record<string, unknown>;
  due_at: string | null;
}

/** What one statement writes for one turn. */
export interface TurnPart {
  turn: TurnRow;
  answers: AnswerRow[];
  cleared: ClearedRow[];
  runs: RunRow[];
  outbox: OutboxRow[];
}

// contact_pref answers (yes/no) and the enum they set.
const PREFERENCE: Record<string, string> = { yes: "all", no: "none", all: "all", direct_only: "direct_only", none: "none" };

/**
 * A turn as the parts of the turns statement, in order. Nearly every turn is one part. A statement's
 * writes all see one snapshot, so a turn that changes one row twice (a run started and completed, an
 * answer cleared and given again) or discards runs (a declined consent) is cut into parts where that
 * happens, to be written one after the other in one transaction. Only the first part writes the
 * session, the receipt and the outbox.
 */
export function turnParts(r: TurnRecord, key: string, now: Date): TurnPart[] {
  return splitEvents(r.turn.events).map((events, i) => part(r, key, events, now, i === 0));
}

/** Whether a turn erases its contact (which takes a transaction of its own, see erase.ts). */
export function erases(r: TurnRecord): boolean {
  return r.turn.events.some((e) => e.type === "erasure.requested");
}

/** The events in groups that each change a row at most once; always at least one group. */
export function splitEvents(events: readonly Event[]): Event[][] {
  const groups: Event[][] = [[]];
  let touched = new Set<string>();
  const next = () => {
    groups.push([]);
    touched = new Set();
  };
  for (const e of events) {
    const keys = rowsOf(e);
    const current = groups[groups.length - 1] as Event[];
    if (e.type === "consent.declined") {
      // Its runs and their answers go by cascade: nothing else of the turn may touch them in the same statement.
      if (current.length > 0) next();
      (groups[groups.length - 1] as Event[]).push(e);
      next();
      continue;
    }
    if (keys.some((k) => touched.has(k))) next();
    for (const k of keys) touched.add(k);
    (groups[groups.length - 1] as Event[]).push(e);
  }
  if (groups.length > 1 && (groups[groups.length - 1] as Event[]).length === 0) groups.pop();
  return groups;
}

function rowsOf(e: Event): string[] {
  switch (e.type) {
    case "flow.started":
    case "flow.completed":
    case "flow.exited":
      return [`run ${e.run}`];
    case "answer.recorded":
    case "answer.cleared":
      return [`answer ${e.run} ${e.question}`];
    default:
      return [];
  }
}

function part(r: TurnRecord, key: string, events: readonly Event[], now: Date, first: boolean): TurnPart {
  const session = r.turn.session;
  const contactId = r.contactId;
  const d = first ? r.delivery : undefined;
  const turn: TurnRow = {
    contact_id: contactId,
    write_session: first,
    state: first ? session : null,
    turn: session.turn,
    flow_id: session.runs[0]?.flow ?? "",
    flow_version: String(session.runs[0]?.version ?? ""),
    status: session.status === "stopped" ? "ended" : session.status === "completed" ? "completed" : session.wait ? "waiting" : "active",
    at: now,
    prev: r.previousTurn,
    timer: (first && r.outbox.find((o) => o.kind === "timer")?.dueAt) || null,
    dch: d?.channel ?? null,
    dmid: d?.messageId ?? null,
    language: session.contact.language,
    consent_set: false,
    consent_version: null,
    consent_at: null,
    territory_set: false,
    territory: null,
    preference: null,
    contact_status: null,
  };
  const p: TurnPart = { turn, answers: [], cleared: [], runs: [], outbox: [] };
  const run = (e: { run: string; flow: string; version?: number }, op: RunRow["op"]) =>
    p.runs.push({ contact_id: contactId, run_id: e.run, op, flow_id: e.flow, flow_version: String(e.version ?? ""), at: now });
  for (const e of events) {
    switch (e.type) {
      case "flow.started":
        run(e, "start");
        break;
      case "flow.completed":
        run(e, "complete");
        break;
      case "flow.exited":
        run(e, "exit");
        break;
      case "answer.recorded": {
        const v = answerColumns(e.value);
        p.answers.push({
          contact_id: contactId,
          run_id: e.run,
          flow_id: e.flow,
          flow_version: String(e.version),
          question: e.question,
          result_name: e.result,
          kind: v.kind,
          value_text: v.text,
          value_number: v.number,
          value_choices: v.choices,
          value_date: v.date,
          value_lat: v.lat,
          value_lon: v.lon,
          value_place: v.place,
          media_ref: v.media,
          skipped: e.skipped,
          language: e.lang,
          answered_at: e.at,
        });
        break;
      }
      case "answer.cleared":
        p.cleared.push({ contact_id: contactId, run_id: e.run, question: e.question });
        break;
      case "consent.given":
        Object.assign(turn, { consent_set: true, consent_version: e.version, consent_at: e.at });
        break;
      case "consent.declined":
        // Nothing is kept without consent: the runs (and their answers, by cascade) go.
        for (const id of e.discard) run({ run: id, flow: e.flow }, "discard");
        Object.assign(turn, { consent_set: true, consent_version: null, consent_at: null });
        break;
      case "contact.changed":
        // Only territories the project works in link the contact; "other" and free text leave it unset.
        if (e.field === "territory") Object.assign(turn, { territory_set: true, territory: e.value });
        else if (e.field === "contact_pref" && PREFERENCE[e.value]) turn.preference = PREFERENCE[e.value] as string;
        break;
      case "contact.stopped":
        turn.contact_status = "stopped";
        break;
      case "contact.resumed":
        turn.contact_status = "active";
        break;
      default:
        break;
    }
  }
  if (first) {
    for (const o of r.outbox) p.outbox.push({ id: o.id, turn_key: key, contact_id: contactId, kind: o.kind, payload: o.payload, due_at: o.dueAt ?? null });
  }
  return p;
}

/** An answer's typed value as the answers table's columns. */
function answerColumns(v: AnswerValue | null): {
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
