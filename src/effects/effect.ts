// What an engine event does outside the engine. One file per event type says it (as mailroom keeps
// one handler per event): what the event writes with its turn, before commit, and what it hands to
// the queues after commit. The registry (registry.ts) lists them.
import type { AnswerRecord } from "../repos/answer-values.ts";
import type { Event, FlowSource, Session } from "../engine/index.ts";
import type { OutboxItem } from "../jobs/outbox.ts";
import type { ChannelName } from "../channel/contract.ts";
import type { BroadcastDelivery } from "../jobs/jobs.ts";

/** An answer as the answers table keeps it. */
export interface AnswerRow extends AnswerRecord {
  contact_id: string;
  answered_at: string;
}

/** An answer taken back (a question asked again). */
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

/** What a turn changes on its contact's row; unset fields stay as they are. */
export interface ContactChanges {
  consent_set: boolean;
  consent_version: string | null;
  consent_at: string | null;
  territory_set: boolean;
  territory: string | null;
  preference: string | null;
  contact_status: "active" | "stopped" | null;
}

/** What (a part of) a turn's events write with the turn, as plain values for the turns statement. */
export interface TurnChanges {
  answers: AnswerRow[];
  cleared: ClearedRow[];
  runs: RunRow[];
  contact: ContactChanges;
}

/** What an event's write knows besides the event. */
export interface WriteContext {
  contactId: string;
  now: Date;
}

/** When people who left a survey half-way are reminded. */
export interface PlanSettings {
  /** Remind a person who left a survey half-way after this long (once). */
  reminderAfterSeconds: number;
  /** Waits in this flow (the menu) get no reminder. */
  entryFlow: string;
  now: () => Date;
  /** The flows, to tell a question with a timeout of its own (no reminder there). */
  flows?: FlowSource;
}

/** What an event's hand-over knows besides the event. */
export interface HandOverContext {
  contactId: string;
  channel: ChannelName;
  /** Unique per turn; outbox ids are made from it. */
  key: string;
  /** The event's position in its turn. */
  index: number;
  /** All the turn's events, in order. */
  events: readonly Event[];
  /** The session after the turn. */
  session: Session;
  /** The inbound shard of the person (timers come back on it). */
  shard: number;
  /** When the latest timer queued for this contact fires, if one was (ISO 8601). */
  timerDueAt?: string;
  /** The turn began a broadcast's flow for the person: its messages are that broadcast's copy, sent as bulk. */
  delivery?: BroadcastDelivery;
  settings: PlanSettings;
}

/** What one event type does outside the engine; an event that does nothing has an empty effect. */
export interface Effect<E extends Event = Event> {
  /**
   * The rows the event changes, as keys: a turn that changes a row twice is written in parts (one
   * statement sees one snapshot). "alone": the event takes a part of its own.
   */
  touches?(e: E): readonly string[] | "alone";
  /** What it writes with the turn, before commit. */
  write?(e: E, into: TurnChanges, ctx: WriteContext): void;
  /** What it hands to the queues after commit. */
  handOver?(e: E, ctx: HandOverContext): OutboxItem | undefined;
}

/** The effect of one event type, typed by it. */
export type EffectOf<T extends Event["type"]> = Effect<Extract<Event, { type: T }>>;
