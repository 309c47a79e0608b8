// The pipeline as `inloco start` / `inloco worker` assemble it (src/app/app.ts: engine over the shipped
// flows, Conversations on the Prisma store with the outbox planner and eventsForStart, Pipeline with
// every queue declared and every worker role), with the platform faked at the channel contract: the
// terminal channel's sender records what it is given. Stopwatches around the broker and the store say
// where an inbound job's time goes. Used by the benchmark process and by its worker processes.
import type { ChannelName, ChannelSender } from "../../../src/channel/contract.ts";
import { loadRuntime, type Runtime } from "../../../src/app/runtime.ts";
import { Conversations } from "../../../src/conversation/conversations.ts";
import type { Address, ConversationStore, Receipt, StoredSession, TurnRecord, Who } from "../../../src/conversation/store.ts";
import { IdentityVault, openDatabase, type Database } from "../../../src/db/index.ts";
import type { Message } from "../../../src/engine/index.ts";
import { Pipeline } from "../../../src/pipeline/pipeline.ts";
import { outboxPlanner } from "../../../src/effects/registry.ts";
import { BullmqBroker, MemoryBroker } from "../../../src/queue/index.ts";
import type { AddOptions, Broker, FailedJob, JobCounts, Processor, QueueSettings, StoredJob, WorkerHandle, WorkOptions } from "../../../src/queue/types.ts";
import { countingSql } from "../statements.ts";
import { DatabaseConversationStore } from "../../../src/repos/conversations.ts";
import { eventsForStart } from "../../../src/repos/events-for-start.ts";
import type { OutboxItem } from "../../../src/jobs/outbox.ts";
import { logTo } from "../../support/log.ts";

/**
 * Prisma 6.19 (engineType "client") compiles every query into a plan in WebAssembly, synchronously on the
 * calling thread, with no plan cache (Prisma 7.4 added one): a stopwatch around that compile step, per
 * process, once `watchCompileTime()` has put it there. Prisma's internals: `available` stays false when
 * the module or method is not where it was.
 */
export const compileTime = { ms: 0, calls: 0, available: false };

/** Puts the stopwatch around Prisma's query compile (once per process). */
export async function watchCompileTime(): Promise<void> {
  if (compileTime.available) return;
  try {
    const compilerModule: string = "@prisma/client/runtime/query_compiler_bg.postgresql.mjs";
    const { QueryCompiler } = (await import(compilerModule)) as { QueryCompiler?: { prototype: { compile?: (this: unknown, query: string) => unknown } } };
    const compile = QueryCompiler?.prototype.compile;
    if (!QueryCompiler || !compile) return;
    QueryCompiler.prototype.compile = function (this: unknown, query: string) {
      const t = performance.now();
      try {
        return compile.call(this, query);
      } finally {
        compileTime.ms += performance.now() - t;
        compileTime.calls++;
      }
    };
    compileTime.available = true;
  } catch {
    // Another Prisma: no stopwatch.
  }
}

/** Epoch milliseconds with sub-millisecond precision, comparable between processes of one machine. */
export const clock = (): number => performance.timeOrigin + performance.now();

/** The channels whose outbound queues `inloco start` declares (src/app/app.ts). */
export const ALL_CHANNELS: readonly ChannelName[] = ["telegram", "whatsapp", "terminal"];
/** The channel the benchmark talks on: its outbound queue has no rate limit (Telegram's is paced by its flood control, in the sender; WhatsApp's: 4 jobs/s). */
export const CHANNEL: ChannelName = "terminal";
/** INLOCO_WORKER_CONCURRENCY's default. */
export const WORKER_CONCURRENCY = 8;

export interface BenchAppOptions {
  databaseUrl: string;
  /** BullMQ on this Redis; absent: the in-memory broker. */
  redisUrl?: string;
  prefix?: string;
  /** Identity keys, base64 (every process must share them, as INLOCO_HASH_KEY / INLOCO_ENCRYPTION_KEY). */
  hashKey: string;
  encryptionKey: string;
  shards: number;
  /** Run the workers (inbound, ingest, timers, outbound); false: only accept (a producer). */
  work: boolean;
  /** The channel whose outbound queue the workers send on (default CHANNEL, unthrottled); its queue keeps its real rate limit. */
  sendOn?: ChannelName;
}

/** Sums of wall milliseconds (and counts) measured around the broker and the store: where an inbound job's time goes. */
export interface Breakdown {
  inboundJobs: number;
  inboundMs: number;
  replayMs: number;
  openMs: number;
  saveMs: number;
  dispatchAdds: number;
  dispatchMs: number;
  outboundJobs: number;
  outboundMs: number;
  ingestJobs: number;
  ingestMs: number;
  acceptAdds: number;
  acceptMs: number;
  /** Statements sent to PostgreSQL in plain SQL (BEGIN and COMMIT included): turns and lookups of people at once share one. */
  statements: number;
  /** Prisma's query compile step (see compileTime): milliseconds and calls. */
  compileMs: number;
  compiles: number;
  /** Lines the pipeline logged (e.g. "nothing to do for flow.completed"), by their start. */
  logs: Record<string, number>;
  /** Inbound tries that failed (logged by the inbound processor). */
  failures: string[];
}

export const emptyBreakdown = (): Breakdown => ({
  inboundJobs: 0,
  inboundMs: 0,
  replayMs: 0,
  openMs: 0,
  saveMs: 0,
  dispatchAdds: 0,
  dispatchMs: 0,
  outboundJobs: 0,
  outboundMs: 0,
  ingestJobs: 0,
  ingestMs: 0,
  acceptAdds: 0,
  acceptMs: 0,
  statements: 0,
  compileMs: 0,
  compiles: 0,
  logs: {},
  failures: [],
});

/** Adds b into a. */
export function addBreakdown(a: Breakdown, b: Breakdown): void {
  for (const k of Object.keys(a) as Array<keyof Breakdown>) {
    if (typeof a[k] === "number") (a as unknown as Record<string, number>)[k] = (a[k] as number) + (b[k] as number);
  }
  for (const [line, n] of Object.entries(b.logs)) a.logs[line] = (a.logs[line] ?? 0) + n;
  a.failures.push(...b.failures);
}

/** A copy of a breakdown with this process's Prisma compile time added. */
export function withCompileTime(b: Breakdown): Breakdown {
  return { ...b, logs: { ...b.logs }, failures: [...b.failures], compileMs: b.compileMs + compileTime.ms, compiles: b.compiles + compileTime.calls };
}

/** A channel sender that only counts: the platform's side of the contract, instant. */
export class RecordingSender implements ChannelSender {
  sent = 0;
  constructor(readonly channel: ChannelName) {}
  async send(_address: string, _message: Message): Promise<{ providerMessageId: string }> {
    return { providerMessageId: String(++this.sent) };
  }
}

/** Told of each job a worker finished: queue, job id, when it started and when it ended (`clock()`). */
export type OnDone = (queue: string, jobId: string, startedAt: number, endedAt: number) => void;

/**
 * A broker with stopwatches: puts and processors are timed by queue kind, and each finished job is
 * reported. An outbound job's id is `<turn key>/out`: the reply to one inbound message, all of its
 * messages handed to the channel.
 */
export class TimedBroker implements Broker {
  readonly kind: "bullmq" | "memory";
  constructor(
    readonly inner: Broker,
    private readonly b: Breakdown,
    private readonly onDone: OnDone,
  ) {
    this.kind = inner.kind;
  }
  declare(queue: string, settings?: QueueSettings): Promise<void> {
    return this.inner.declare(queue, settings);
  }
  put<D>(queue: string, name: string, data: D, opts?: AddOptions): Promise<void> {
    return this.timed(queue, () => this.inner.put(queue, name, data, opts));
  }
  // A put, counted against its queue kind however it ends.
  private async timed<T>(queue: string, add: () => Promise<T>): Promise<T> {
    const t = performance.now();
    try {
      return await add();
    } finally {
      this.count(queue, performance.now() - t);
    }
  }
  work<D>(queue: string, processor: Processor<D>, opts?: WorkOptions): Promise<WorkerHandle> {
    const kind = queue.startsWith("inbound.") ? "inbound" : queue.startsWith("outbound.") ? "outbound" : queue === "ingest" ? "ingest" : undefined;
    return this.inner.work<D>(
      queue,
      async (job) => {
        const startedAt = clock();
        await processor(job);
        const endedAt = clock();
        const ms = endedAt - startedAt;
        if (kind === "inbound") {
          this.b.inboundJobs++;
          this.b.inboundMs += ms;
        } else if (kind === "outbound") {
          this.b.outboundJobs++;
          this.b.outboundMs += ms;
        } else if (kind === "ingest") {
          this.b.ingestJobs++;
          this.b.ingestMs += ms;
        }
        this.onDone(queue, job.id, startedAt, endedAt);
      },
      opts,
    );
  }
  queues(): Promise<string[]> {
    return this.inner.queues();
  }
  counts(queue: string): Promise<JobCounts> {
    return this.inner.counts(queue);
  }
  failed(queue: string, opts?: { limit?: number }): Promise<FailedJob[]> {
    return this.inner.failed(queue, opts);
  }
  retry(queue: string, which: string): Promise<number> {
    return this.inner.retry(queue, which);
  }
  purge(queues: (queue: string) => boolean, match: (job: StoredJob) => boolean): Promise<number> {
    return this.inner.purge(queues, match);
  }
  close(): Promise<void> {
    return this.inner.close();
  }
  private count(queue: string, ms: number): void {
    if (queue.startsWith("inbound.")) {
      this.b.acceptAdds++;
      this.b.acceptMs += ms;
    } else {
      this.b.dispatchAdds++;
      this.b.dispatchMs += ms;
    }
  }
}

/** The Prisma store with stopwatches. */
class TimedStore implements ConversationStore {
  constructor(
    private readonly inner: ConversationStore,
    private readonly b: Breakdown,
  ) {}
  open(who: Address, language: string): Promise<StoredSession>;
  open(who: Who, language: string): Promise<StoredSession | undefined>;
  async open(who: Who, language: string): Promise<StoredSession | undefined> {
    const t = performance.now();
    try {
      return await this.inner.open(who, language);
    } finally {
      this.b.openMs += performance.now() - t;
    }
  }
  async saveTurn(record: TurnRecord): Promise<void> {
    const t = performance.now();
    try {
      await this.inner.saveTurn(record);
    } finally {
      this.b.saveMs += performance.now() - t;
    }
  }
  async replay(receipt: Receipt): Promise<OutboxItem[] | undefined> {
    const t = performance.now();
    try {
      return await this.inner.replay(receipt);
    } finally {
      this.b.replayMs += performance.now() - t;
    }
  }
}

export interface BenchApp {
  runtime: Runtime;
  db: Database;
  vault: IdentityVault;
  broker: TimedBroker;
  pipeline: Pipeline;
  conversations: Conversations;
  breakdown: Breakdown;
  close(): Promise<void>;
}

/** The app of one process, as `inloco start` assembles it (workers only if `work`). */
export async function startBenchApp(o: BenchAppOptions, onDone: OnDone): Promise<BenchApp> {
  await watchCompileTime();
  // The production defaults (no INLOCO_* set): the seven shipped languages, entry flow main, real clock and ids.
  const runtime = loadRuntime({ env: {} });
  const db = await openDatabase({ url: o.databaseUrl, migrate: false });
  const vault = new IdentityVault({ hashKey: Buffer.from(o.hashKey, "base64"), encryptionKey: Buffer.from(o.encryptionKey, "base64") });
  const breakdown = emptyBreakdown();
  const inner: Broker = o.redisUrl ? new BullmqBroker({ url: o.redisUrl, ...(o.prefix ? { prefix: o.prefix } : {}) }) : new MemoryBroker();
  const broker = new TimedBroker(inner, breakdown, onDone);
  // INLOCO_REMINDER_AFTER's default, 20 h: a person's first survey answer queues a delayed timer
  // job; later answers find it pending and queue none.
  const reminders = { reminderAfterSeconds: 20 * 3600, entryFlow: runtime.settings.INLOCO_ENTRY_FLOW, now: () => new Date(), flows: runtime.engine.flows };
  const sql = countingSql(db.sql, () => breakdown.statements++);
  const conversations = new Conversations(runtime.engine, new TimedStore(new DatabaseConversationStore(sql, vault), breakdown), outboxPlanner(reminders), eventsForStart(db.prisma));
  const log = logTo((line: string) => {
    const head = /^(\w+) \S+: (.*?)(?: for \S+)?$/.exec(line);
    const key = head ? `${head[1]}: ${head[2]?.replace(/try \d+ of \d+ failed: .*/, "try failed")}` : line.slice(0, 60);
    breakdown.logs[key] = (breakdown.logs[key] ?? 0) + 1;
    if (/^inbound .*failed/.test(line) && breakdown.failures.length < 20) breakdown.failures.push(line);
  });
  const pipeline = new Pipeline({ broker, sql, vault, conversations, rules: runtime.texts, channels: ALL_CHANNELS, shards: o.shards, reminders, log });
  try {
    await pipeline.declare();
    if (o.work) {
      await pipeline.work({
        inbound: true,
        ingest: true,
        timers: true,
        outbound: new Map([[o.sendOn ?? CHANNEL, new RecordingSender(o.sendOn ?? CHANNEL)]]),
        concurrency: WORKER_CONCURRENCY,
      });
    }
  } catch (error) {
    await pipeline.close().catch(() => {});
    await broker.close().catch(() => {});
    await db.close().catch(() => {});
    throw error;
  }
  return {
    runtime,
    db,
    vault,
    broker,
    pipeline,
    conversations,
    breakdown,
    async close() {
      // As the app stops: workers drain, then the queues, then the database.
      try {
        await pipeline.close();
        await broker.close();
      } finally {
        await db.close();
      }
    },
  };
}
