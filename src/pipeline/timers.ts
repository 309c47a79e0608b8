import type { Sql } from "../db/index.ts";
import { Session } from "../engine/index.ts";
import type { Job, Producer } from "../queue/types.ts";
import type { InboundJob, TimerJob } from "../jobs/jobs.ts";
import type { PlanSettings } from "../effects/effect.ts";
import { reminderDelay } from "../effects/wait-started.ts";
import { keepTimer, waitingSession } from "../repos/sessions.ts";
import { QUEUES } from "./queues.ts";

/**
 * A timer fired: if the person still waits at the turn that set it, they get a timeout input on
 * their own inbound shard, behind anything they said meanwhile. If they answered since and now
 * wait at a later question, the timer re-arms itself for that turn, due a reminder's delay after
 * their last message (a turn queues a reminder timer only when none is pending: one per person at
 * a time, not one per message). Otherwise it ends here, with one read.
 */
export function timerProcessor(broker: Producer, sql: Sql, now: () => Date, reminders?: PlanSettings) {
  return async (job: Job<TimerJob>): Promise<void> => {
    const t = job.data;
    const row = await waitingSession(sql, t.contactId);
    if (!row) return;
    if (row.turn === t.turn) {
      const inbound: InboundJob = { channel: t.channel, contactId: t.contactId, input: { type: "timeout", turn: t.turn }, at: now().toISOString() };
      await broker.put(QUEUES.inbound(t.shard), "timeout", inbound, { id: `fired-${job.id}` });
      return;
    }
    if (!reminders || row.turn < t.turn) return;
    const session = Session.safeParse(row.state);
    const seconds = session.success ? reminderDelay(session.data, reminders) : undefined;
    if (seconds === undefined) return;
    const dueAt = new Date(row.updatedAt.getTime() + seconds * 1000);
    const rearmed: TimerJob = { ...t, turn: row.turn };
    // One id per contact and turn: stale timers re-arming for the same turn queue it once.
    await broker.put(QUEUES.timers, "timer", rearmed, { id: `rearm-${t.contactId}-${row.turn}`, delayMs: Math.max(0, dueAt.getTime() - now().getTime()) });
    await keepTimer(sql, t.contactId, dueAt, row.turn);
  };
}
