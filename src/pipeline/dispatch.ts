import type { OutboxItem } from "../conversation/store.ts";
import type { Producer } from "../queue/types.ts";
import type { IngestJob, OutboundJob, TimerJob } from "../jobs/jobs.ts";
import { PRIORITY, QUEUES } from "./queues.ts";

/**
 * Hand a turn's outbox to the queues, once the turn is committed. Job ids are the item ids, so
 * handing the same items over again (a retried inbound job) adds nothing twice.
 */
export async function dispatch(broker: Producer, items: readonly OutboxItem[], now: Date): Promise<void> {
  // Independent jobs on different queues: added together, not one round trip after another.
  await Promise.all(items.map((item) => dispatchOne(broker, item, now)));
}

async function dispatchOne(broker: Producer, item: OutboxItem, now: Date): Promise<void> {
  if (item.kind === "outbound") {
    const job = item.payload as OutboundJob;
    // A sealed address instead of a contact id: the goodbye to a person just erased, not kept if it fails.
    const goodbye = job.sealedAddress !== undefined && job.contactId === undefined;
    await broker.put(QUEUES.outbound(job.channel), "send", job, { id: item.id, priority: PRIORITY[job.priority], ...(goodbye ? { keepFailed: false } : {}) });
  } else if (item.kind === "ingest") {
    const job = item.payload as IngestJob;
    await broker.put(QUEUES.ingest, job.name, job, { id: item.id });
  } else {
    const job = item.payload as TimerJob;
    const delayMs = item.dueAt ? Math.max(0, Date.parse(item.dueAt) - now.getTime()) : 0;
    await broker.put(QUEUES.timers, "timer", job, { id: item.id, delayMs });
  }
}
