// The vocabulary of the queue layer. Two brokers implement it: BullMQ on Redis (production) and an
// in-memory one (the zero-setup demo), with the same ordering, dedupe and retry semantics inside one process.

/** How one job is added. Every field is optional; the queue's declared settings fill the rest. */
export interface AddOptions {
  /**
   * Deterministic id (e.g. `telegram-<update_id>`). Putting a job whose id already exists in the queue —
   * waiting, active, delayed, completed and still retained, or failed — does nothing. Not a plain
   * integer, no `:` (BullMQ reserves both).
   */
  id?: string;
  /** Wait this long before the job may run. */
  delayMs?: number;
  /** 0 (the default) runs first; among prioritized jobs, lower runs sooner (1 before 10). Not on ordered queues. */
  priority?: number;
  /** Tries in all, the first included (default: the queue's `attempts`). */
  attempts?: number;
  /** Wait before the first retry; doubled before each next one (default: the queue's `backoffMs`). */
  backoffMs?: number;
  /**
   * False: if the job fails for good it is removed at once instead of kept `keepFailedMs` (for a job
   * whose data must not outlive it, such as the goodbye to a person just erased). Default true.
   */
  keepFailed?: boolean;
}

/** Settings of a queue, given once per process by `declare` (producers and workers alike). */
export interface QueueSettings {
  /**
   * One job at a time across all workers of all processes, in FIFO order (the per-person order of
   * `inbound.<shard>`). A failing job is retried in place, before anything behind it.
   */
  ordered?: boolean;
  /** Tries in all, the first included (default 3). */
  attempts?: number;
  /** Wait before the first retry, doubled before each next one (default 1000 ms). */
  backoffMs?: number;
  /** At most `max` jobs started per `durationMs`, across all workers (fixed windows). */
  rateLimit?: { max: number; durationMs: number };
  /** Completed jobs, and so their ids for dedupe, are kept at least this long (default 24 h). */
  keepCompletedMs?: number;
  /**
   * At most this many completed jobs (the latest) are kept, whatever their age (default: no limit).
   * Their ids no longer dedupe: only for queues whose processors are safe to run twice anyway.
   */
  keepCompletedCount?: number;
  /** Failed jobs stay visible (and their ids taken) at least this long (default 7 days). */
  keepFailedMs?: number;
  /**
   * False: a job's data is removed as the job completes (it may hold what a person typed); the job
   * keeps its id, and so dedupes, for `keepCompletedMs`. A job run again after its processor returned
   * (its worker died before the completion was recorded) then finds no data and completes at once.
   * Default true.
   */
  keepCompletedData?: boolean;
}

/** The job as a processor sees it. */
export interface Job<D = unknown> {
  readonly queue: string;
  readonly id: string;
  readonly name: string;
  /** The payload; after `updateData`, the new one. */
  readonly data: D;
  /** Which try this is, from 1. A `RetryLaterError` does not use one up. */
  readonly attempt: number;
  readonly maxAttempts: number;
  /** Replace the stored payload, e.g. to record "2 of 3 messages sent" so that a retry resumes there. */
  updateData(data: D): Promise<void>;
}

/**
 * Does the work of one job. Returning completes it; throwing fails this try: a `PermanentJobError`
 * fails the job for good at once, a `RetryLaterError` puts it back for a while without using a try,
 * anything else is retried with backoff until the tries run out.
 */
export type Processor<D = unknown> = (job: Job<D>) => Promise<void> | void;

export interface WorkOptions {
  /** Jobs this worker runs at once (default 1). Ordered queues run one at a time whatever this says. */
  concurrency?: number;
}

export interface WorkerHandle {
  /** Stop taking jobs, let the running ones finish (a retry wait is cut short: the job goes back, first in line). */
  close(): Promise<void>;
}

export const JOB_STATES = ["waiting", "active", "delayed", "completed", "failed"] as const;
export type JobState = (typeof JOB_STATES)[number];
export type JobCounts = Record<JobState, number>;

export interface FailedJob {
  readonly queue: string;
  readonly id: string;
  readonly name: string;
  readonly failedReason: string;
  readonly attemptsMade: number;
  /** When it was added, ms since the epoch. */
  readonly timestamp: number;
  /** When it failed for good, ms since the epoch. */
  readonly failedAt: number | undefined;
  readonly data: unknown;
}

/** A job as `purge` shows it to its matcher. */
export interface StoredJob {
  readonly queue: string;
  readonly id: string;
  readonly name: string;
  readonly data: unknown;
}

/** What a producer needs (BullMQ's `Queue`, adding side): settle a queue, hand it jobs. */
export interface Producer {
  /** Settle a queue's settings in this process. Needed before `put` and `work`; doing it again replaces them. */
  declare(queue: string, settings?: QueueSettings): Promise<void>;
  /** Add a job; a job whose `id` is already in the queue (see `AddOptions.id`) is not added again. */
  put<D>(queue: string, name: string, data: D, opts?: AddOptions): Promise<void>;
}

/** What runs jobs (BullMQ's `Worker`). */
export interface Workers {
  /** Start a worker on a declared queue; resolves once it is taking jobs. */
  work<D>(queue: string, processor: Processor<D>, opts?: WorkOptions): Promise<WorkerHandle>;
}

/** What an operator (the CLI, the dashboard, erasure, tests waiting for quiet) looks at and acts on. */
export interface QueueAdmin {
  /** The queues that exist (BullMQ: every queue under the prefix in Redis, declared here or not). */
  queues(): Promise<string[]>;
  counts(queue: string): Promise<JobCounts>;
  /** Failed jobs, newest first. */
  failed(queue: string, opts?: { limit?: number }): Promise<FailedJob[]>;
  /** Run failed jobs again with all their tries; returns how many were put back. */
  retry(queue: string, which: string | "all"): Promise<number>;
  /**
   * Remove every job that is not running — waiting, delayed, failed, or completed and still kept — whose
   * queue is one of `queues` and that `match` picks; returns how many were removed. Also forgets what
   * the broker noted about them (BullMQ: their entries in each queue's event stream). A job that is
   * running is left alone (it ends by itself: completed jobs of the pipeline are removed at once).
   * Used by erasure (src/pipeline/erasure.ts), so it reads every such job: slow on long queues, meant
   * to be rare.
   */
  purge(queues: (queue: string) => boolean, match: (job: StoredJob) => boolean): Promise<number>;
}

/**
 * One broker, every role: what a process opens (`openBroker`) and closes. Code that only produces,
 * works or administers takes the narrower interface.
 */
export interface Broker extends Producer, Workers, QueueAdmin {
  readonly kind: "bullmq" | "memory";
  /** Close every worker (running jobs finish, nothing new is taken), then the connections. */
  close(): Promise<void>;
}
