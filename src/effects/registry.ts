// Every event type and its effect. A new event type (a meeting announced, a broadcast answered) is a
// file beside these and a line here; the compiler asks for the line.
import type { Event, EventType, Session, Turn } from "../engine/index.ts";
import type { OutboxItem } from "../jobs/outbox.ts";
import { answerCleared } from "./answer-cleared.ts";
import { answerRecorded } from "./answer-recorded.ts";
import { consentDeclined } from "./consent-declined.ts";
import { consentGiven } from "./consent-given.ts";
import { contactChanged } from "./contact-changed.ts";
import { contactResumed } from "./contact-resumed.ts";
import { contactStopped } from "./contact-stopped.ts";
import type { Effect, EffectOf, HandOverContext, PlanSettings, TurnChanges, WriteContext } from "./effect.ts";
import { dataRequested } from "./data-requested.ts";
import { emitted } from "./emitted.ts";
import { erasureRequested } from "./erasure-requested.ts";
import { flowCompleted } from "./flow-completed.ts";
import { flowExited } from "./flow-exited.ts";
import { flowStarted } from "./flow-started.ts";
import { nothing } from "./nothing.ts";
import { replies } from "./replies.ts";
import { waitStarted } from "./wait-started.ts";

const EFFECTS: { [T in EventType]: EffectOf<T> } = {
  "flow.started": flowStarted,
  "flow.completed": flowCompleted,
  "flow.exited": flowExited,
  "answer.recorded": answerRecorded,
  "answer.cleared": answerCleared,
  "answer.invalid": nothing,
  "consent.given": consentGiven,
  "consent.declined": consentDeclined,
  "contact.changed": contactChanged,
  "contact.stopped": contactStopped,
  "contact.resumed": contactResumed,
  "erasure.requested": erasureRequested,
  "data.requested": dataRequested,
  emitted,
  "wait.started": waitStarted,
  "input.ignored": nothing,
  error: nothing,
};

/** The effect of an event. */
export function effectOf(e: Event): Effect {
  return EFFECTS[e.type] as Effect;
}

/** No changes yet: the start of a part. */
export function noChanges(): TurnChanges {
  return {
    answers: [],
    cleared: [],
    runs: [],
    contact: { consent_set: false, consent_version: null, consent_at: null, territory_set: false, territory: null, preference: null, contact_status: null },
  };
}

/**
 * What a turn's events write, in parts written one after the other in one transaction. Nearly every
 * turn is one part. A statement's writes all see one snapshot, so a turn that changes one row twice
 * (a run started and completed, an answer cleared and given again) or discards runs (a declined
 * consent) is cut where that happens. Always at least one part.
 */
export function turnChanges(events: readonly Event[], ctx: WriteContext): TurnChanges[] {
  return splitEvents(events).map((group) => {
    const into = noChanges();
    for (const e of group) effectOf(e).write?.(e, into, ctx);
    return into;
  });
}

/** The events in groups that each change a row at most once; always at least one group. */
export function splitEvents(events: readonly Event[]): Event[][] {
  const groups: Event[][] = [[]];
  let touched = new Set<string>();
  const current = () => groups[groups.length - 1] as Event[];
  const next = () => {
    groups.push([]);
    touched = new Set();
  };
  for (const e of events) {
    const keys = effectOf(e).touches?.(e) ?? [];
    if (keys === "alone") {
      if (current().length > 0) next();
      current().push(e);
      next();
      continue;
    }
    if (keys.some((k) => touched.has(k))) next();
    for (const k of keys) touched.add(k);
    current().push(e);
  }
  if (groups.length > 1 && current().length === 0) groups.pop();
  return groups;
}

/** What a planner knows of the turn besides the turn itself. */
export type PlanContext = Omit<HandOverContext, "index" | "events" | "session" | "settings">;

/** Turns a turn into the outbox items to store with it. */
export type OutboxPlanner = (turn: Turn<Session>, context: PlanContext) => OutboxItem[];

/**
 * What a turn leaves for the queues: its messages (one outbound job, so they arrive in order), then
 * what each event hands over, timers last. Ids derive from the turn's key, so storing or queueing
 * an item twice never makes two.
 */
export function outboxPlanner(settings: PlanSettings): OutboxPlanner {
  return (turn, ctx) => {
    const items: OutboxItem[] = [];
    const reply = replies(turn.messages, ctx);
    if (reply) items.push(reply);
    const timers: OutboxItem[] = [];
    turn.events.forEach((e, index) => {
      const item = effectOf(e).handOver?.(e, { ...ctx, index, events: turn.events, session: turn.session, settings });
      if (item) (item.kind === "timer" ? timers : items).push(item);
    });
    return [...items, ...timers];
  };
}
