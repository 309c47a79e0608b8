import type { Sql } from "../db/sql.ts";
import type { Broker, Job } from "../queue/types.ts";
import type { InboundJob, TimerJob } from "./jobs.ts";
import { QUEUES } from "./queues.ts";

/**
 * A timer fired: if the person still waits at the turn that set it, they get a timeout input on
 * their own inbound shard, behind anything they said meanwhile. Most timers are stale by then (the
 * person answered): those end here, with one read, instead of a turn.
 */
export function timerProcessor(broker: Broker, sql: Sql, now: () => Date) {
  return async (job: Job<TimerJob>): Promise<void> => {
    const t = job.data;
    const { rows } = await sql.query<{ turn: number }>("SELECT turn FROM sessions WHERE contact_id = $1 AND status = 'waiting'", [t.contactId]);
    if (rows[0]?.turn !== t.turn) return;
    const inbound: InboundJob = { channel: t.channel, contactId: t.contactId, input: { type: "timeout", turn: t.turn }, at: now().toISOString() };
    await broker.add(QUEUES.inbound(t.shard), "timeout", inbound, { id: `fired-${job.id}` });
  };
}
