import type { Session } from "../engine/index.ts";
import type { TimerJob } from "../jobs/jobs.ts";
import type { EffectOf, PlanSettings } from "./effect.ts";

/**
 * The session waits for the person: a timer, for a question's own timeout or to remind a person who
 * left a survey half-way. A reminder needs one timer per person at a time: one still pending (from
 * an earlier turn) re-arms itself for this turn when it fires (pipeline/timers.ts).
 */
export const waitStarted: EffectOf<"wait.started"> = {
  handOver: (e, ctx) => {
    // One timer per turn: the first wait's.
    if (ctx.events.findIndex((x) => x.type === "wait.started") !== ctx.index || ctx.session.status !== "active") return undefined;
    const now = ctx.settings.now().getTime();
    const pending = ctx.timerDueAt !== undefined && Date.parse(ctx.timerDueAt) > now;
    const seconds = e.timeout ?? (pending ? undefined : reminderDelay(ctx.session, ctx.settings));
    if (seconds === undefined) return undefined;
    const payload: TimerJob = { contactId: ctx.contactId, channel: ctx.channel, turn: e.turn, shard: ctx.shard };
    return { id: `${ctx.key}/timer`, kind: "timer", payload, dueAt: new Date(now + seconds * 1000).toISOString() };
  },
};

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
