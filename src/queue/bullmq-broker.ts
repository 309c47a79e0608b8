// The BullMQ broker: queues in Redis, shared by every process that points at the same Redis and prefix.
// One ioredis connection serves all Queue objects (adds, counts, admin), another all workers' commands
// (BullMQ adds a blocking one per worker beside it). See NOTES.md for what is guaranteed.
import { DelayedError, Queue, UnrecoverableError, WaitingError, Worker, type Job as BullJob, type JobsOptions } from "bullmq";
import { Redis, type RedisOptions } from "ioredis";
import { BrokerClosedError, isPermanent, reasonOf, retryLaterDelay, UndeclaredQueueError } from "./errors.ts";
import { backoffDelay, checkQueueName, resolveJob, resolveSettings, type ResolvedJob, type ResolvedSettings } from "./policy.ts";
import { RedisOutageLog } from "./outage-log.ts";
import { redactRedisUrl } from "./redis-url.ts";
import { sleep } from "./sleep.ts";
import {
  type AddOptions,
  type Broker,
  type FailedJob,
  type Job,
  type JobCounts,
  type Processor,
  type QueueSettings,
  type StoredJob,
  type WorkerHandle,
  type WorkOptions,
} from "./types.ts";
import { silentLog, type Log } from "../log/log.ts";

export interface BullmqBrokerOptions {
  /** redis:// or rediss:// URL. */
  url: string;
  /** Key prefix: every key is `<prefix>:<queue>:…` (default "inloco"). */
  prefix?: string;
  /** A worker that stops renewing its lock (crashed, frozen) loses its job after this long (default 30 s). */
  lockDurationMs?: number;
  /** How often workers look for jobs whose lock expired, to run them again (default 30 s). */
  stalledIntervalMs?: number;
  /** A job whose worker died this many times fails ("job stalled more than allowable limit") (default 1). */
  maxStalledCount?: number;
  /** Wait between tries of a worker's own Redis calls after a connection error (default 5 s). */
  runRetryDelayMs?: number;
  /** Where worker and connection errors go, each as it comes (default: `log`, with a Redis outage told once, see below). */
  onError?: (error: Error, where: string) => void;
  /** Where lines go when `onError` is not given (default the process log, src/log). An outage of Redis is one line when it
   * begins, one every `outageReportEveryMs` while it lasts (default 60 s) with a count, and one when it ends. */
  log?: Log;
  outageReportEveryMs?: number;
}

/**
 * Entries kept in each queue's event stream (BullMQ's default: 10,000). Nothing here reads the stream,
 * and its entries name jobs and their errors: kept short (Redis trims it in whole blocks of about 100
 * entries, so a few hundred at most), and `purge` reads it whole.
 */
const EVENTS_KEPT = 0;

/** The states `purge` looks in: every one but active. */
const PURGED_STATES = ["wait", "paused", "prioritized", "waiting-children", "delayed", "failed", "completed"] as const;

/** Reconnect quickly, then every 2 s at most, forever. */
const retryStrategy = (times: number) => Math.min(50 * 2 ** times, 2000);

export class BullmqBroker implements Broker {
  readonly kind = "bullmq";
  readonly prefix: string;
  /** The URL without its password, for messages. */
  readonly displayUrl: string;
  private readonly connection: Redis;
  private workersConnection: Redis | undefined;
  private readonly bullQueues = new Map<string, Queue>();
  private readonly settings = new Map<string, ResolvedSettings>();
  private readonly workers = new Set<WorkerHandle>();
  private readonly onError: (error: Error, where: string) => void;
  private readonly outages: RedisOutageLog;
  private closing: Promise<void> | undefined;
  private closed = false;

  constructor(private readonly options: BullmqBrokerOptions) {
    this.prefix = options.prefix ?? "inloco";
    this.displayUrl = redactRedisUrl(options.url);
    this.outages = new RedisOutageLog({
      url: this.displayUrl,
      log: options.log ?? silentLog,
      ...(options.outageReportEveryMs !== undefined ? { reportEveryMs: options.outageReportEveryMs } : {}),
    });
    this.onError = options.onError ?? ((error, where) => this.outages.error(error, where));
    // Adds wait through a short Redis outage (~3 s of reconnecting), then fail, rather than hang a caller
    // such as a webhook handler forever.
    this.connection = new Redis(options.url, { ...connectionOptions(), maxRetriesPerRequest: 5 });
    this.connection.on("error", (error: Error) => this.onError(error, `connection to ${this.displayUrl}`));
    this.outages.watch(this.connection);
  }

  async declare(queue: string, settings: QueueSettings = {}): Promise<void> {
    this.checkOpen();
    const resolved = resolveSettings(queue, settings);
    const q = this.queue(queue);
    // Stored in Redis, so it binds the workers of every process: one job at a time, in FIFO order.
    if (resolved.ordered) await q.setGlobalConcurrency(1);
    else await q.removeGlobalConcurrency();
    this.settings.set(queue, resolved);
  }

  async put<D>(queue: string, name: string, data: D, opts?: AddOptions): Promise<void> {
    const settings = this.declared(queue);
    // BullMQ's add of an id that exists already adds nothing: the id alone deduplicates.
    await this.queue(queue).add(name, data, this.jobOptions(settings, resolveJob(queue, settings, opts)));
  }

  async work<D>(queue: string, processor: Processor<D>, opts: WorkOptions = {}): Promise<WorkerHandle> {
    const settings = this.declared(queue);
    const abort = new AbortController();
    const connection = this.workerConnection();
    const worker = new Worker(queue, this.wrap(queue, settings, processor as Processor<unknown>, abort.signal), {
      connection,
      prefix: this.prefix,
      // More than one slot per worker buys nothing on an ordered queue, and BullMQ 5.81 then picks up delayed
      // jobs only after drainDelay (5 s) (seen with global concurrency 1 and worker concurrency 3).
      concurrency: settings.ordered ? 1 : Math.max(1, Math.floor(opts.concurrency ?? 1)),
      ...(settings.rateLimit ? { limiter: { max: settings.rateLimit.max, duration: settings.rateLimit.durationMs } } : {}),
      lockDuration: this.options.lockDurationMs ?? 30_000,
      stalledInterval: this.options.stalledIntervalMs ?? 30_000,
      maxStalledCount: this.options.maxStalledCount ?? 1,
      runRetryDelay: this.options.runRetryDelayMs ?? 5_000,
    });
    worker.on("error", (error: Error) => this.onError(error, `worker of ${queue}`));
    await worker.waitUntilReady();
    let closing: Promise<void> | undefined;
    const handle: WorkerHandle = {
      close: () =>
        (closing ??= (async () => {
          abort.abort(); // cut short in-place waits: those jobs go back first in line
          await worker.close();
          this.workers.delete(handle);
        })()),
    };
    this.workers.add(handle);
    return handle;
  }

  async queues(): Promise<string[]> {
    const names = new Set(this.settings.keys());
    const pattern = `${escapeGlob(this.prefix)}:*:meta`;
    let cursor = "0";
    do {
      const [next, keys] = await this.connection.scan(cursor, "MATCH", pattern, "COUNT", 1000);
      cursor = next;
      for (const key of keys) {
        const name = key.slice(this.prefix.length + 1, -":meta".length);
        if (name && !name.includes(":")) names.add(name);
      }
    } while (cursor !== "0");
    return [...names].sort();
  }

  async counts(queue: string): Promise<JobCounts> {
    const c = await this.queue(queue).getJobCounts("wait", "paused", "prioritized", "waiting-children", "active", "delayed", "completed", "failed");
    const n = (state: string) => c[state] ?? 0;
    return {
      waiting: n("wait") + n("paused") + n("prioritized") + n("waiting-children"),
      active: n("active"),
      delayed: n("delayed"),
      completed: n("completed"),
      failed: n("failed"),
    };
  }

  async failed(queue: string, opts: { limit?: number } = {}): Promise<FailedJob[]> {
    const limit = opts.limit ?? 50;
    if (limit <= 0) return [];
    const jobs = await this.queue(queue).getFailed(0, limit - 1);
    return jobs
      .filter((job): job is BullJob & { id: string } => job !== undefined && job.id !== undefined)
      .map((job) => ({
        queue,
        id: job.id,
        name: job.name,
        failedReason: job.failedReason ?? "",
        attemptsMade: job.attemptsMade,
        timestamp: job.timestamp,
        failedAt: job.finishedOn,
        data: job.data as unknown,
      }));
  }

  async retry(queue: string, which: string): Promise<number> {
    const q = this.queue(queue);
    let ids: string[];
    if (which === "all") {
      // Take the list first: a job that fails again at once must not be retried twice by this call.
      ids = [];
      for (let start = 0; ; start += 1000) {
        const page = await q.getRanges(["failed"], start, start + 999, true);
        ids.push(...page);
        if (page.length < 1000) break;
      }
    } else ids = [which];
    let retried = 0;
    for (const id of ids) {
      const job = await q.getJob(id);
      if (!job || !(await job.isFailed())) continue;
      try {
        // Unlike Queue.retryJobs, this gives the job all its tries again.
        await job.retry("failed", { resetAttemptsMade: true, resetAttemptsStarted: true });
        retried++;
      } catch {
        // Retried meanwhile by someone else.
      }
    }
    return retried;
  }

  async purge(queues: (queue: string) => boolean, match: (job: StoredJob) => boolean): Promise<number> {
    let removed = 0;
    for (const name of await this.queues()) {
      if (!queues(name)) continue;
      const q = this.queue(name);
      const ids = await q.getRanges([...PURGED_STATES], 0, -1, true);
      const gone = new Set<string>();
      for (let start = 0; start < ids.length; start += 500) {
        const page = ids.slice(start, start + 500);
        const pipeline = this.connection.pipeline();
        for (const id of page) pipeline.hmget(q.toKey(id), "name", "data");
        const replies = (await pipeline.exec()) ?? [];
        for (const [i, id] of page.entries()) {
          const [error, fields] = replies[i] ?? [];
          if (error || !Array.isArray(fields) || fields[1] === null) continue; // removed meanwhile
          const [jobName, raw] = fields as [string | null, string];
          if (!match({ queue: name, id, name: jobName ?? "", data: parseData(raw) })) continue;
          // 0: the job became active meanwhile (locked) and is left to end by itself.
          if ((await q.remove(id)) === 1) {
            gone.add(id);
            removed++;
          }
        }
      }
      await this.forgetEvents(q, name, gone, match);
    }
    return removed;
  }

  /** Delete the event stream's entries about jobs removed by a purge, or whose id alone `match` picks. */
  private async forgetEvents(q: Queue, queue: string, gone: ReadonlySet<string>, match: (job: StoredJob) => boolean): Promise<void> {
    const key = q.keys.events!;
    const doomed: string[] = [];
    let from = "-";
    for (;;) {
      const entries = await this.connection.xrange(key, from, "+", "COUNT", 1000);
      for (const [entryId, fields] of entries) {
        const f = new Map<string, string>();
        for (let i = 0; i + 1 < fields.length; i += 2) f.set(fields[i]!, fields[i + 1]!);
        const jobId = f.get("jobId");
        if (jobId !== undefined && (gone.has(jobId) || match({ queue, id: jobId, name: f.get("name") ?? "", data: undefined }))) doomed.push(entryId);
      }
      if (entries.length < 1000) break;
      from = `(${entries.at(-1)![0]}`;
    }
    for (let i = 0; i < doomed.length; i += 1000) await this.connection.xdel(key, ...doomed.slice(i, i + 1000));
  }

  async close(): Promise<void> {
    this.closing ??= (async () => {
      await Promise.all([...this.workers].map((w) => w.close()));
      this.closed = true;
      await Promise.all([...this.bullQueues.values()].map((q) => q.close()));
      await this.connection.quit().catch(() => this.connection.disconnect());
      await this.workersConnection?.quit().catch(() => this.workersConnection?.disconnect());
      this.outages.close();
    })();
    return this.closing;
  }

  /** The BullMQ Queue behind a queue name (for the dashboard). */
  queue(name: string): Queue {
    if (this.closed) throw new BrokerClosedError();
    checkQueueName(name);
    let q = this.bullQueues.get(name);
    if (!q) {
      q = new Queue(name, { connection: this.connection, prefix: this.prefix, streams: { events: { maxLen: EVENTS_KEPT } } });
      q.on("error", (error: Error) => this.onError(error, `queue ${name}`));
      this.bullQueues.set(name, q);
    }
    return q;
  }

  /**
   * The connection every worker of this broker sends its commands on, instead of one each (each also
   * has a blocking one of its own, which BullMQ makes): half the connections per process.
   */
  private workerConnection(): Redis {
    if (!this.workersConnection) {
      this.workersConnection = new Redis(this.options.url, { ...connectionOptions(), maxRetriesPerRequest: null });
      this.workersConnection.on("error", (error: Error) => this.onError(error, `workers' connection to ${this.displayUrl}`));
      this.outages.watch(this.workersConnection);
    }
    return this.workersConnection;
  }

  private checkOpen(): void {
    if (this.closed || this.closing) throw new BrokerClosedError();
  }

  private declared(queue: string): ResolvedSettings {
    if (this.closed) throw new BrokerClosedError();
    checkQueueName(queue);
    const settings = this.settings.get(queue);
    if (!settings) throw new UndeclaredQueueError(queue);
    return settings;
  }

  private jobOptions(settings: ResolvedSettings, job: ResolvedJob): JobsOptions {
    const keep = (ms: number) => (ms === 0 ? true : { age: Math.ceil(ms / 1000) });
    return {
      ...(job.id !== undefined ? { jobId: job.id } : {}),
      ...(job.delayMs > 0 ? { delay: job.delayMs } : {}),
      ...(job.priority > 0 ? { priority: job.priority } : {}),
      attempts: job.attempts,
      ...(job.backoffMs > 0 ? { backoff: { type: "exponential", delay: job.backoffMs } } : {}),
      removeOnComplete:
        settings.keepCompletedCount === undefined
          ? keep(settings.keepCompletedMs)
          : { age: Math.max(1, Math.ceil(settings.keepCompletedMs / 1000)), count: settings.keepCompletedCount },
      removeOnFail: job.keepFailed ? keep(settings.keepFailedMs) : true,
    };
  }

  /**
   * The BullMQ processor around ours: it turns our errors into BullMQ's, and on ordered queues keeps
   * retries in place so that nothing behind a failing job overtakes it (BullMQ alone would move the
   * job to the delayed set, or to the back of the line, and run the next one).
   */
  private wrap(queue: string, settings: ResolvedSettings, processor: Processor<unknown>, closing: AbortSignal) {
    return async (job: BullJob, token?: string): Promise<void> => {
      // Its data removed: its processor returned already, and the worker died before BullMQ recorded it.
      if (!settings.keepCompletedData && job.data === null) return;
      for (;;) {
        try {
          await processor(view(queue, job));
          // Done: a failure to forget the data must not run the job again (it stays until the job
          // expires, or its person is erased).
          if (!settings.keepCompletedData) await job.updateData(null).catch((e: unknown) => this.onError(asError(e), `forgetting the data of job ${job.id} of ${queue}`));
          return;
        } catch (error) {
          const later = retryLaterDelay(error);
          if (later !== undefined) {
            if (!settings.ordered) {
              await job.moveToDelayed(Date.now() + later, token); // keeps the attempt count
              throw new DelayedError();
            }
            await sleep(later, closing);
            if (!closing.aborted) continue; // run again in place, same attempt
            await job.moveToWait(token); // first in line, same attempt
            throw new WaitingError();
          }
          if (isPermanent(error)) throw new UnrecoverableError(reasonOf(error));
          const maxAttempts = job.opts.attempts ?? 1;
          if (settings.ordered && job.attemptsMade + 1 < maxAttempts) {
            await sleep(backoffDelay(backoffMsOf(job), job.attemptsMade + 1), closing);
            await retryFirstInLine(job, token, error);
            throw new WaitingError();
          }
          throw error instanceof Error ? error : new Error(reasonOf(error));
        }
      }
    };
  }
}

function view(queue: string, job: BullJob): Job<unknown> {
  return {
    queue,
    id: job.id!,
    name: job.name,
    attempt: job.attemptsMade + 1,
    maxAttempts: job.opts.attempts ?? 1,
    get data() {
      return job.data as unknown;
    },
    updateData: (data: unknown) => job.updateData(data),
  };
}

function backoffMsOf(job: BullJob): number {
  const backoff = job.opts.backoff;
  if (typeof backoff === "number") return backoff;
  return backoff?.delay ?? 0;
}

/**
 * Counts the failed try and puts the job back at the head of the wait list, in one BullMQ script, while
 * it still holds the queue's only slot: nothing behind it can start in between.
 *
 * Public `Job.moveToFailed` does it: with tries left and no backoff, BullMQ retries a job at once, at the
 * head when the job is `lifo`. The backoff was waited in place already, so this Job object's options (a
 * copy in memory; the stored ones are untouched) drop it and ask for `lifo`. Other public calls fall short:
 * `moveToWait` keeps the place but does not count the try; `moveToDelayed` neither counts it nor keeps the
 * place; `retry` and `promote` need the job failed or delayed first, which frees the slot; `lifo` at add
 * would put new jobs first. test/queue ("retries a failing job in place") fails if the order breaks.
 */
async function retryFirstInLine(job: BullJob, token: string | undefined, error: unknown): Promise<void> {
  const { backoff: _waitedAlready, ...opts } = job.opts;
  job.opts = { ...opts, lifo: true };
  // The reason recorded as before: reasonOf's, where an Error has no message or is no Error.
  const failure = error instanceof Error && error.message ? error : new Error(reasonOf(error));
  // A Worker always hands its processor the job's lock token.
  await job.moveToFailed(failure, token!);
}

function connectionOptions(): RedisOptions {
  return { retryStrategy, enableReadyCheck: true };
}

function asError(e: unknown): Error {
  return e instanceof Error ? e : new Error(String(e));
}

function parseData(raw: string): unknown {
  try {
    return JSON.parse(raw) as unknown;
  } catch {
    return raw;
  }
}

function escapeGlob(text: string): string {
  return text.replace(/[*?[\]\\]/g, "\\$&");
}
