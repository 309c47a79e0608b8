import { z } from "zod";
import { IngestJob, OutboundJob, TimerJob } from "./jobs.ts";

// Deterministic (`<turn key>/<what>`): the queue job id, so handing an item over twice never duplicates it.
const id = z.string().min(1);

/**
 * Something a turn leaves for later, stored with the turn and handed to a queue after commit: one
 * kind per queue, its payload that queue's job.
 */
export const OutboxItem = z.discriminatedUnion("kind", [
  z.object({ id, kind: z.literal("outbound"), payload: OutboundJob }),
  z.object({ id, kind: z.literal("ingest"), payload: IngestJob }),
  /** `dueAt`: when the timer fires, ISO 8601. */
  z.object({ id, kind: z.literal("timer"), payload: TimerJob, dueAt: z.string() }),
]);
export type OutboxItem = z.infer<typeof OutboxItem>;
export type OutboxKind = OutboxItem["kind"];
