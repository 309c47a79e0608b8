import type { OutboxPlanner } from "../conversation/conversations.ts";
import type { OutboxItem } from "../conversation/store.ts";
import type { FlowSource, Session } from "../engine/index.ts";
import type { IngestJob, OutboundJob, TimerJob } from "../jobs/jobs.ts";

export interface PlanSettings {
  /** Remind a person who left a survey half-way after this long (once). */
  reminderAfterSeconds: number;
  /** Waits in this flow (the menu) get no reminder. */
  entryFlow: string;
  now: () => Date;
  /** The flows, to tell a question with a timeout of its own (no reminder there). */
  flows?: FlowSource;
}

/**
 * After how many seconds a person waiting in this session is reminded, or undefined when they
 * aren't: not in the menu, not when they said no to being contacted, not twice at one question, not
 * where the question has a timeout of its own (its own timer is set by its turn).
 */
export function reminderDelay(session: Session, settings: PlanSettings): number | undefined {
  const wait = session.wait;
  if (session.status !== "active" || !wait || wait.reminded) return undefined;
  const run = session.runs.at(-1);
  if (!run || run.flow === settings.entryFlow || session.contact.fields.contact_pref === "no") return undefined;
  const node = settings.flows?.get(run.flow)?.nodes[wait.node];
  if (node?.type === "question" && node.timeout) return undefined;
  return settings.reminderAfterSeconds;
}

// Events the stakeholder tables are built from. Answers and contact changes are written with the
// turn itself; these are derived data, processed by the ingest queue.
const INGESTED = new Set(["flow.started"]);

/**
 * What a turn leaves for later: its messages (one outbound job, so they arrive in order), the
 * events to ingest, and a timer for the wait it ends on. Ids derive from the turn's key, so storing
 * or queueing an item twice never makes two.
 */
export function outboxPlanner(settings: PlanSettings): OutboxPlanner {
  return (turn, ctx) => {
    const { session } = turn;
    const channel = ctx.who.channel;
    const items: OutboxItem[] = [];
    if (turn.messages.length > 0) {
      const payload: OutboundJob = { channel, contactId: ctx.contactId, messages: turn.messages, priority: "reply", sent: 0 };
      items.push({ id: `${ctx.key}/out`, kind: "outbound", payload });
    }
    const territory = session.contact.fields.territory;
    const at = settings.now().toISOString();
    turn.events.forEach((e, i) => {
      const common = { contactId: ctx.contactId, language: session.contact.language, ...(territory ? { territory } : {}), at };
      let payload: IngestJob | undefined;
      if (e.type === "emitted") payload = { ...common, name: e.name, data: e.data, flow: e.flow, run: e.run };
      else if (INGESTED.has(e.type) && "run" in e && "flow" in e) payload = { ...common, name: e.type, data: {}, flow: e.flow, run: e.run };
      if (payload) items.push({ id: `${ctx.key}/e${i}`, kind: "ingest", payload });
    });
    const wait = turn.events.find((e) => e.type === "wait.started");
    if (wait && wait.type === "wait.started" && session.status === "active") {
      const now = settings.now().getTime();
      // A question's own timeout needs its exact timer. A reminder needs one timer per person at a
      // time: one still pending (from an earlier turn) re-arms itself for this turn when it fires.
      const pending = ctx.timerDueAt !== undefined && Date.parse(ctx.timerDueAt) > now;
      const seconds = wait.timeout ?? (pending ? undefined : reminderDelay(session, settings));
      if (seconds !== undefined) {
        const payload: TimerJob = { contactId: ctx.contactId, channel, turn: wait.turn, shard: ctx.shard };
        items.push({ id: `${ctx.key}/timer`, kind: "timer", payload, dueAt: new Date(now + seconds * 1000).toISOString() });
      }
    }
    return items;
  };
}
