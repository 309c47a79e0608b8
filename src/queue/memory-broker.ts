// The in-memory broker of the zero-setup demo (no REDIS_URL). Inside one process it keeps the BullMQ
// broker's promises: ids dedupe while retained, delays, priorities, tries with exponential backoff,
// ordered queues one job at a time in FIFO order, rate limits, a failed list, retry and a draining close.
// Nothing survives the process: queued jobs are lost when it stops.
import { BrokerClosedError, isPermanent, reasonOf, retryLaterDelay, UndeclaredQueueError } from "./errors.ts";
import { sleep } from "./sleep.ts";
import { backoffDelay, checkQueueName, jsonCopy, resolveJob, resolveSettings, type ResolvedSettings } from "./policy.ts";
import {
  JOB_STATES,
  type AddOptions,
  type Broker,
  type FailedJob,
  type Job,
  type JobCounts,
  type JobState,
  type Processor,
  type QueueSettings,
  type StoredJob,
  type WorkerHandle,
  type WorkOptions,
} from "./types.ts";

interface MemJob {
  readonly id: string;
  readonly name: string;
  data: unknown;
  readonly priority: number;
  /** Place among waiting jobs of the same priority (lower first). */
  seq: number;
  attemptsMade: number;
  readonly maxAttempts: number;
  readonly backoffMs: number;
  readonly keepFailed: boolean;
  state: JobState;
  readonly timestamp: number;
  finishedAt?: number;
  failedReason?: string;
  timer?: NodeJS.Timeout;
}

interface MemWorker {
  readonly processor: Processor<unknown>;
  readonly concurrency: number;
  running: number;
  closing: boolean;
  readonly tasks: Set<Promise<void>>;
  /** Cuts short the in-place waits of an ordered queue when the worker closes. */
  readonly abort: AbortController;
}

class MemQueue {
  readonly jobs = new Map<string, MemJob>();
  /** Sorted by priority, then seq. */
  readonly waiting: MemJob[] = [];
  /** In the order they finished, for retention. */
  readonly completed: MemJob[] = [];
  readonly failed: MemJob[] = [];
  readonly workers: MemWorker[] = [];
  active = 0;
  nextSeq = 0;
  frontSeq = 0;
  nextId = 0;
  nextWorker = 0;
  window: { start: number; count: number } | undefined;
  limitTimer: NodeJS.Timeout | undefined;

  constructor(
    readonly name: string,
    public settings: ResolvedSettings,
  ) {}
}

export class MemoryBroker implements Broker {
  readonly kind = "memory";
  private readonly queueMap = new Map<string, MemQueue>();
  private closing = false;
  private closed = false;

  async declare(queue: string, settings: QueueSettings = {}): Promise<void> {
    const resolved = resolveSettings(queue, settings);
    const existing = this.queueMap.get(queue);
    if (existing) existing.settings = resolved;
    else this.queueMap.set(queue, new MemQueue(queue, resolved));
  }

  async put<D>(queue: string, name: string, data: D, opts?: AddOptions): Promise<void> {
    this.addOne(this.declared(queue), name, data, opts);
  }

  async work<D>(queue: string, processor: Processor<D>, opts: WorkOptions = {}): Promise<WorkerHandle> {
    const q = this.declared(queue);
    if (this.closing) throw new BrokerClosedError();
    const worker: MemWorker = {
      processor: processor as Processor<unknown>,
      concurrency: Math.max(1, Math.floor(opts.concurrency ?? 1)),
      running: 0,
      closing: false,
      tasks: new Set(),
      abort: new AbortController(),
    };
    q.workers.push(worker);
    this.pump(q);
    let closing: Promise<void> | undefined;
    return { close: () => (closing ??= this.closeWorker(q, worker)) };
  }

  async queues(): Promise<string[]> {
    return [...this.queueMap.keys()].sort();
  }

  async counts(queue: string): Promise<JobCounts> {
    const counts = Object.fromEntries(JOB_STATES.map((s) => [s, 0])) as JobCounts;
    const q = this.queueMap.get(queue);
    if (!q) return counts;
    this.prune(q);
    for (const job of q.jobs.values()) counts[job.state]++;
    return counts;
  }

  async failed(queue: string, opts: { limit?: number } = {}): Promise<FailedJob[]> {
    const q = this.queueMap.get(queue);
    if (!q) return [];
    this.prune(q);
    const limit = opts.limit ?? 50;
    return [...q.failed]
      .reverse()
      .slice(0, limit)
      .map((job) => ({
        queue,
        id: job.id,
        name: job.name,
        failedReason: job.failedReason ?? "",
        attemptsMade: job.attemptsMade,
        timestamp: job.timestamp,
        failedAt: job.finishedAt,
        data: jsonCopy(job.data),
      }));
  }

  async retry(queue: string, which: string): Promise<number> {
    const q = this.queueMap.get(queue);
    if (!q) return 0;
    const targets = which === "all" ? [...q.failed] : q.failed.filter((job) => job.id === which);
    for (const job of targets) {
      remove(q.failed, job);
      job.attemptsMade = 0;
      job.failedReason = undefined;
      job.finishedAt = undefined;
      this.enqueue(q, job, "back");
    }
    this.pump(q);
    return targets.length;
  }

  async purge(queues: (queue: string) => boolean, match: (job: StoredJob) => boolean): Promise<number> {
    let removed = 0;
    for (const q of this.queueMap.values()) {
      if (!queues(q.name)) continue;
      this.prune(q);
      for (const job of [...q.jobs.values()]) {
        if (job.state === "active" || !match({ queue: q.name, id: job.id, name: job.name, data: jsonCopy(job.data) })) continue;
        clearTimeout(job.timer);
        remove(q.waiting, job);
        remove(q.completed, job);
        remove(q.failed, job);
        q.jobs.delete(job.id);
        removed++;
      }
    }
    return removed;
  }

  async close(): Promise<void> {
    if (this.closing) return;
    this.closing = true;
    // Jobs added while the workers drain (by the jobs that are finishing) are kept, not taken.
    await Promise.all([...this.queueMap.values()].flatMap((q) => [...q.workers].map((w) => this.closeWorker(q, w))));
    for (const q of this.queueMap.values()) {
      clearTimeout(q.limitTimer);
      for (const job of q.jobs.values()) clearTimeout(job.timer);
    }
    this.closed = true;
  }

  private declared(queue: string): MemQueue {
    if (this.closed) throw new BrokerClosedError();
    checkQueueName(queue);
    const q = this.queueMap.get(queue);
    if (!q) throw new UndeclaredQueueError(queue);
    return q;
  }

  private addOne(q: MemQueue, name: string, data: unknown, opts?: AddOptions): void {
    const resolved = resolveJob(q.name, q.settings, opts);
    this.prune(q);
    // An id still held by a job (in any state, while retained) adds nothing: the dedupe by id.
    if (resolved.id !== undefined && q.jobs.has(resolved.id)) return;
    const job: MemJob = {
      id: resolved.id ?? String(++q.nextId),
      name,
      data: jsonCopy(data),
      priority: resolved.priority,
      seq: 0,
      attemptsMade: 0,
      maxAttempts: resolved.attempts,
      backoffMs: resolved.backoffMs,
      keepFailed: resolved.keepFailed,
      state: "waiting",
      timestamp: Date.now(),
    };
    q.jobs.set(job.id, job);
    if (resolved.delayMs > 0) this.delay(q, job, resolved.delayMs);
    else {
      this.enqueue(q, job, "back");
      this.pump(q);
    }
  }

  private enqueue(q: MemQueue, job: MemJob, where: "front" | "back"): void {
    job.state = "waiting";
    job.seq = where === "front" ? --q.frontSeq : ++q.nextSeq;
    // Binary search for the first waiting job that sorts after this one.
    let lo = 0;
    let hi = q.waiting.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      const other = q.waiting[mid]!;
      if (other.priority < job.priority || (other.priority === job.priority && other.seq < job.seq)) lo = mid + 1;
      else hi = mid;
    }
    q.waiting.splice(lo, 0, job);
  }

  private delay(q: MemQueue, job: MemJob, ms: number): void {
    job.state = "delayed";
    job.timer = setTimeout(() => {
      job.timer = undefined;
      this.enqueue(q, job, "back");
      this.pump(q);
    }, ms);
  }

  /** Starts as many waiting jobs as free worker slots, order and rate limit allow. */
  private pump(q: MemQueue): void {
    while (q.waiting.length > 0) {
      if (q.settings.ordered && q.active > 0) return;
      const worker = this.freeWorker(q);
      if (!worker || !this.takeRateToken(q)) return;
      const job = q.waiting.shift()!;
      job.state = "active";
      q.active++;
      worker.running++;
      const task = this.run(q, worker, job).finally(() => worker.tasks.delete(task));
      worker.tasks.add(task);
    }
  }

  private freeWorker(q: MemQueue): MemWorker | undefined {
    for (let i = 0; i < q.workers.length; i++) {
      const worker = q.workers[(q.nextWorker + i) % q.workers.length]!;
      if (!worker.closing && worker.running < worker.concurrency) {
        q.nextWorker = (q.nextWorker + i + 1) % q.workers.length;
        return worker;
      }
    }
    return undefined;
  }

  /** Fixed windows, as BullMQ's limiter: at most `max` starts from the first start of a window until it ends. */
  private takeRateToken(q: MemQueue): boolean {
    const limit = q.settings.rateLimit;
    if (!limit) return true;
    const now = Date.now();
    if (!q.window || now >= q.window.start + limit.durationMs) q.window = { start: now, count: 0 };
    if (q.window.count < limit.max) {
      q.window.count++;
      return true;
    }
    if (!q.limitTimer) {
      q.limitTimer = setTimeout(() => {
        q.limitTimer = undefined;
        this.pump(q);
      }, q.window.start + limit.durationMs - now);
    }
    return false;
  }

  private async run(q: MemQueue, worker: MemWorker, job: MemJob): Promise<void> {
    const release = () => {
      q.active--;
      worker.running--;
    };
    let error: unknown;
    let ok = false;
    try {
      await Promise.resolve(); // never run a processor inside the caller's add()
      await worker.processor(this.view(q, job));
      ok = true;
    } catch (e) {
      error = e;
    }
    if (ok) {
      release();
      this.finish(q, job, "completed");
      this.pump(q);
      return;
    }

    const later = retryLaterDelay(error);
    const ordered = q.settings.ordered;
    if (later === undefined) {
      job.attemptsMade++;
      job.failedReason = reasonOf(error);
      if (isPermanent(error) || job.attemptsMade >= job.maxAttempts) {
        release();
        this.finish(q, job, "failed");
        this.pump(q);
        return;
      }
    }
    const wait = later ?? backoffDelay(job.backoffMs, job.attemptsMade);
    if (ordered) {
      // Wait in place, holding the queue's only slot, so nothing behind this job overtakes it.
      await sleep(wait, worker.abort.signal);
      release();
      this.enqueue(q, job, "front");
    } else {
      release();
      if (wait > 0) this.delay(q, job, wait);
      else this.enqueue(q, job, "back");
    }
    this.pump(q);
  }

  private view(q: MemQueue, job: MemJob): Job<unknown> {
    let data = jsonCopy(job.data);
    return {
      queue: q.name,
      id: job.id,
      name: job.name,
      attempt: job.attemptsMade + 1,
      maxAttempts: job.maxAttempts,
      get data() {
        return data;
      },
      async updateData(next: unknown) {
        job.data = jsonCopy(next);
        data = next;
      },
    };
  }

  private finish(q: MemQueue, job: MemJob, state: "completed" | "failed"): void {
    job.state = state;
    job.finishedAt = Date.now();
    if (state === "completed" && !q.settings.keepCompletedData) job.data = null;
    if (state === "failed" && !job.keepFailed) {
      q.jobs.delete(job.id);
      return;
    }
    (state === "completed" ? q.completed : q.failed).push(job);
    this.prune(q);
  }

  /** Forgets finished jobs older than their retention, or beyond the count kept (BullMQ forgets them lazily too). */
  private prune(q: MemQueue): void {
    const now = Date.now();
    const drop = (list: MemJob[], keepMs: number) => {
      while (list.length > 0 && list[0]!.finishedAt! + keepMs <= now) q.jobs.delete(list.shift()!.id);
    };
    drop(q.completed, q.settings.keepCompletedMs);
    drop(q.failed, q.settings.keepFailedMs);
    // A count cap keeps a busy process's memory flat (each kept job is an id and its bookkeeping).
    const cap = q.settings.keepCompletedCount;
    if (cap !== undefined) while (q.completed.length > cap) q.jobs.delete(q.completed.shift()!.id);
  }

  private async closeWorker(q: MemQueue, worker: MemWorker): Promise<void> {
    worker.closing = true;
    worker.abort.abort();
    while (worker.tasks.size > 0) await Promise.all([...worker.tasks]);
    remove(q.workers, worker);
    this.pump(q);
  }
}

function remove<T>(list: T[], item: T): void {
  const i = list.indexOf(item);
  if (i >= 0) list.splice(i, 1);
}
