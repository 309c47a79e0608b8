import { z } from "zod";
import { readSettings } from "./env.ts";

/** INLOCO_INGEST_CONCURRENCY's default. */
export const INGEST_CONCURRENCY = 128;

/** "20h", "90m", "45s", "2d", or a number of seconds. */
const duration = z
  .string()
  .trim()
  .regex(/^\d+(\.\d+)?\s*[smhd]?$/i, "a duration like 20h, 90m, 45s or 2d")
  .transform((s) => {
    const m = /^(\d+(?:\.\d+)?)\s*([smhd]?)$/i.exec(s) as RegExpExecArray;
    const unit = { "": 1, s: 1, m: 60, h: 3600, d: 86400 }[(m[2] ?? "").toLowerCase() as "" | "s" | "m" | "h" | "d"];
    return Math.round(Number(m[1]) * unit);
  });

/** How the pipeline runs: shards, reminders, concurrency. */
export const PipelineSettings = z.object({
  INLOCO_SHARDS: z.coerce
    .number({ error: "a whole number of inbound shards, e.g. 32" })
    .int()
    .min(1)
    .max(256)
    // 32 carried more messages per second than 16 on a 2-core machine, at less CPU per message
    // (npm run bench): more people's turns in flight at once. Each shard costs a Redis connection per process (its blocking wait).
    .default(32)
    .describe("inbound shards: how many people's messages are processed at once (each shard keeps one person's order); the same in every process"),
  INLOCO_REMINDER_AFTER: duration
    .prefault("20h")
    .describe("remind a person who left a survey half-way after this long, once (inside WhatsApp's 24 h window)"),
  INLOCO_DELIVERY_RECORDS_KEEP: duration
    .prefault("7d")
    .pipe(z.number().min(86_400, "at least a day (1d): the queues recognise a repeated delivery for 24 h, the receipts after that"))
    .describe("how long receipts of processed messages and events, and each turn's outbox, are kept to recognise a repeated delivery; then pruned"),
  INLOCO_ANSWERS_KEEP: duration
    .pipe(z.number().min(86_400, "at least a day (1d)"))
    .optional()
    .describe("how long answers are kept, and feedback with its text and its person (then anonymised); unset: until the person is erased"),
  INLOCO_WORKER_CONCURRENCY: z.coerce.number({ error: "a whole number, e.g. 8" }).int().min(1).max(200).default(8).describe("jobs at once per outbound and timers queue in one process"),
  // Ingest jobs that run at once share one statement (src/batch/row-batcher.ts) and hold no connection
  // while they wait for it, so more at once means bigger batches, not more load on PostgreSQL.
  INLOCO_INGEST_CONCURRENCY: z.coerce.number({ error: "a whole number, e.g. 128" }).int().min(1).max(500).default(INGEST_CONCURRENCY).describe("ingest jobs at once in one process (written together)"),
});
export type PipelineSettings = z.infer<typeof PipelineSettings>;

/** Read the pipeline settings, or throw a ConfigError naming each bad variable. */
export function readPipelineSettings(env: NodeJS.ProcessEnv = process.env): PipelineSettings {
  return readSettings(PipelineSettings, env);
}
