// A turn as the rows of the turns statement (turn-statement.ts): its session write and receipt, what
// its events change (the effects, src/effects/) and its outbox, as plain values. Pure.
import type { TurnRecord } from "../conversation/store.ts";
import type { ContactChanges, TurnChanges } from "../effects/effect.ts";
import { turnChanges } from "../effects/registry.ts";
import type { OutboxKind } from "../jobs/outbox.ts";

/** The turn's session write (the first part only) and its contact's one update. */
export interface TurnRow extends ContactChanges {
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
  /** The message's receipt, which must not exist yet: its channel and hashed provider id. */
  dch: string | null;
  dmid: string | null;
  language: string;
}

export interface OutboxRow {
  id: string;
  turn_key: string;
  contact_id: string;
  kind: OutboxKind;
  payload: unknown;
  due_at: string | null;
}

/** What one statement writes for one turn. */
export interface TurnPart extends Omit<TurnChanges, "contact"> {
  turn: TurnRow;
  outbox: OutboxRow[];
}

/**
 * A turn as the parts of the turns statement, in order (see turnChanges: nearly every turn is one
 * part). Only the first part writes the session, the receipt and the outbox.
 */
export function turnParts(r: TurnRecord, key: string, now: Date): TurnPart[] {
  return turnChanges(r.turn.events, { contactId: r.contactId, now }).map((changes, i) => part(r, key, changes, now, i === 0));
}

function part(r: TurnRecord, key: string, changes: TurnChanges, now: Date, first: boolean): TurnPart {
  const session = r.turn.session;
  const receipt = first ? r.receipt : undefined;
  const timer = first ? r.outbox.find((o) => o.kind === "timer") : undefined;
  const turn: TurnRow = {
    contact_id: r.contactId,
    write_session: first,
    state: first ? session : null,
    turn: session.turn,
    flow_id: session.runs[0]?.flow ?? "",
    flow_version: String(session.runs[0]?.version ?? ""),
    status: session.status === "stopped" ? "ended" : session.status === "completed" ? "completed" : session.wait ? "waiting" : "active",
    at: now,
    prev: r.previousTurn,
    timer: (timer?.kind === "timer" && timer.dueAt) || null,
    dch: receipt?.channel ?? null,
    dmid: receipt?.messageId ?? null,
    language: session.contact.language,
    ...changes.contact,
  };
  const outbox = first
    ? r.outbox.map((o) => ({ id: o.id, turn_key: key, contact_id: r.contactId, kind: o.kind, payload: o.payload, due_at: (o.kind === "timer" && o.dueAt) || null }))
    : [];
  return { turn, answers: changes.answers, cleared: changes.cleared, runs: changes.runs, outbox };
}
