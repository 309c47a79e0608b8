// Payload validation at the edge of a processor: a malformed job fails for good, visibly, instead of
// being retried until its tries run out.
import { z } from "zod";
import { PermanentJobError } from "./errors.ts";
import type { Job, Processor } from "./types.ts";

/**
 * Wraps a processor with a zod schema: the processor only ever sees data that passed it. Data that
 * does not pass fails the job at once (PermanentJobError) with zod's description of what is wrong.
 * Use schemas whose output is also valid input (no transforms) if the processor calls `updateData`.
 */
export function validated<S extends z.ZodType>(schema: S, processor: Processor<z.output<S>>): Processor<unknown> {
  return async (job) => {
    const result = schema.safeParse(job.data);
    if (!result.success) {
      throw new PermanentJobError(`invalid payload for ${job.queue} job ${job.id} (${job.name}):\n${z.prettifyError(result.error)}`);
    }
    await processor(withData(job as Job<z.output<S>>, result.data));
  };
}

/** The same job, seen with `data` (kept in step with updateData). */
function withData<D>(job: Job<D>, data: D): Job<D> {
  let current = data;
  return {
    queue: job.queue,
    id: job.id,
    name: job.name,
    attempt: job.attempt,
    maxAttempts: job.maxAttempts,
    get data() {
      return current;
    },
    async updateData(next: D) {
      await job.updateData(next);
      current = next;
    },
  };
}
