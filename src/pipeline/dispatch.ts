import type { OutboxItem } from "../jobs/outbox.ts";
import type { Producer } from "../queue/types.ts";
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
  switch (item.kind) {
    case "outbound": {
      const job = item.payload;
      // A sealed address instead of a contact id: the goodbye to a person just erased, not kept if it fails.
      const goodbye = job.sealedAddress !== undefined && job.contactId === undefined;
      return broker.put(QUEUES.outbound(job.channel), "send", job, { id: item.id, priority: PRIORITY[job.priority], ...(goodbye ? { keepFailed: false } : {}) });
    }
    case "ingest":
      return broker.put(QUEUES.ingest, item.payload.name, item.payload, { id: item.id });
    case "timer":
      return broker.put(QUEUES.timers, "timer", item.payload, { id: item.id, delayMs: Math.max(0, Date.parse(item.dueAt) - now.getTime()) });
  }
}
