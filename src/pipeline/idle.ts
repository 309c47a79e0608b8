import type { QueueAdmin } from "../queue/types.ts";
import { QUEUES } from "./queues.ts";

/**
 * Resolve once no job waits, runs or is delayed in any queue (timers excepted: they may be set for
 * tomorrow). For the terminal chat and tests, where one process holds the queues.
 */
export async function waitIdle(broker: QueueAdmin, timeoutMs = 30_000, pollMs = 10): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const names = (await broker.queues()).filter((q) => q !== QUEUES.timers);
    const counts = await Promise.all(names.map((q) => broker.counts(q)));
    if (counts.every((c) => c.waiting + c.active + c.delayed === 0)) return;
    if (Date.now() > deadline) throw new Error(`queues still busy after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, pollMs));
  }
}
