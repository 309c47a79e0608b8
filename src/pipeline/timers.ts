import type { Broker, Job } from "../queue/types.ts";
import type { InboundJob, TimerJob } from "./jobs.ts";
import { QUEUES } from "./queues.ts";

/**
 * A timer fired: the person gets a timeout input on their own inbound shard, behind anything they
 * said meanwhile. The engine ignores it if the turn that set it is gone (they answered, or STOP).
 */
export function timerProcessor(broker: Broker, now: () => Date) {
  return async (job: Job<TimerJob>): Promise<void> => {
    const t = job.data;
    const inbound: InboundJob = { channel: t.channel, contactId: t.contactId, input: { type: "timeout", turn: t.turn }, at: now().toISOString() };
    await broker.add(QUEUES.inbound(t.shard), "timeout", inbound, { id: `fired-${job.id}` });
  };
}
