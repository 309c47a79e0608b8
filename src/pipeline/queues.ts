import type { ChannelName } from "../channel/contract.ts";
import type { Producer, QueueSettings } from "../queue/types.ts";

/** Queue names and how each behaves: the shape of the pipeline in one place. */
export const QUEUES = {
  /** One per shard: a person always lands on the same shard, which runs one job at a time in order. */
  inbound: (shard: number) => `inbound.${shard}`,
  ingest: "ingest",
  outbound: (channel: ChannelName) => `outbound.${channel}`,
  timers: "timers",
} as const;

/** Priorities on outbound queues: a reply to someone waiting goes before a broadcast. */
export const PRIORITY = { reply: 0, bulk: 10 } as const; // 0 = no priority: runs before any prioritized job

export interface PipelineShape {
  shards: number;
  channels: readonly ChannelName[];
  /**
   * When the database, not the queues, remembers what was done (the in-process queues: accepted messages
   * in the inbox, outbox items marked done): each queue keeps only this many completed job ids.
   */
  recentJobs?: number;
}

/**
 * Completed job ids an in-process queue keeps when the database is the guard: enough for a platform's
 * quick retries while a message is in flight, and a flat memory under steady traffic (a kept id costs
 * about a kilobyte; 24 h of them at 30 messages a second would be hundreds of megabytes).
 */
export const RECENT_COMPLETED = 2000;

// Per platform (shared/PLATFORM-LIMITS.md). WhatsApp Web is one phone, kept well below what gets a
// number banned; a job is one turn's messages (1–3), so the job rate is set below the message rate.
// Telegram has none here: its flood control (bots/telegram/flood.ts) paces each message, shared by
// every process, at the bot's limit (about 30 a second); a job rate could only guess at messages per job.
const OUTBOUND_RATE: Record<ChannelName, { max: number; durationMs: number } | undefined> = {
  telegram: undefined,
  whatsapp: { max: 4, durationMs: 1000 },
  terminal: undefined,
};

/**
 * What finished jobs keep. Jobs carry what people typed, sealed addresses and contact ids: a
 * completed job loses its data as it completes, and keeps only its id, for dedupe, 24 hours; a failed
 * one is kept whole for the operators to see and retry, 7 days. Both go sooner if their person is
 * erased (src/pipeline/erasure.ts). With the in-process queues, only the latest completed ids are kept
 * (`RECENT_COMPLETED`).
 */
export const KEEP = { keepCompletedData: false, keepCompletedMs: 24 * 60 * 60 * 1000, keepFailedMs: 7 * 24 * 60 * 60 * 1000 } as const;

/** Every queue's settings. */
export function queueSettings(shape: PipelineShape): Array<[string, QueueSettings]> {
  const out: Array<[string, QueueSettings]> = [];
  const keep = shape.recentJobs ? { ...KEEP, keepCompletedCount: shape.recentJobs } : KEEP;
  // A database that is down for a while: inbound jobs wait and retry (1 s, 2 s, 4 s … about 17 min in all),
  // in place, so the person's later messages stay behind the first.
  for (let i = 0; i < shape.shards; i++) out.push([QUEUES.inbound(i), { ordered: true, attempts: 11, backoffMs: 1000, ...keep }]);
  out.push([QUEUES.ingest, { attempts: 11, backoffMs: 1000, ...keep }]);
  for (const c of shape.channels) {
    const rateLimit = OUTBOUND_RATE[c];
    out.push([QUEUES.outbound(c), { attempts: 8, backoffMs: 2000, ...keep, ...(rateLimit ? { rateLimit } : {}) }]);
  }
  out.push([QUEUES.timers, { attempts: 11, backoffMs: 1000, ...keep }]);
  return out;
}

/** Whether a queue is one of the pipeline's (whatever the shard count and channels). */
export function isPipelineQueue(queue: string): boolean {
  return /^(inbound\.\d+|ingest|outbound\.[a-z]+|timers)$/.test(queue);
}

/** Declare every queue of the pipeline on a broker. */
export async function declareQueues(broker: Producer, shape: PipelineShape): Promise<void> {
  for (const [name, settings] of queueSettings(shape)) await broker.declare(name, settings);
}

/** The shard of a person, from the keyed hash of their address (stable, spread evenly). */
export function shardOf(addressHash: string, shards: number): number {
  return Number.parseInt(addressHash.slice(0, 8), 16) % shards;
}
