import type { ChannelName, ChannelSender, Inbound } from "../channel/contract.ts";
import type { Conversations } from "../conversation/conversations.ts";
import type { Lexicon } from "../engine/index.ts";
import type { IdentityVault, Sql } from "../db/index.ts";
import { INGEST_CONCURRENCY } from "../config/pipeline.ts";
import { ingestProcessor } from "../ingest/ingest.ts";
import { validated } from "../queue/validate.ts";
import { PermanentJobError, RetryLaterError } from "../queue/errors.ts";
import type { Broker, Processor, WorkerHandle } from "../queue/types.ts";
import { Inbox, OutboxMarks } from "../repos/inbox.ts";
import { inboundProcessor } from "./inbound.ts";
import { IngestJob, InboundJob, OutboundJob, TimerJob } from "../jobs/jobs.ts";
import { outboundProcessor, PER_PERSON_GAP_MS } from "./outbound.ts";
import { declareQueues, QUEUES, RECENT_COMPLETED, shardOf } from "./queues.ts";
import type { PlanSettings } from "../effects/effect.ts";
import { relay, type Relayed } from "./relay.ts";
import { timerProcessor } from "./timers.ts";
import type { Log } from "../log/log.ts";

export interface PipelineOptions {
  broker: Broker;
  sql: Sql;
  vault: IdentityVault;
  conversations: Conversations;
  /** Keyword rules for feedback categories (the locale texts). */
  rules: Lexicon;
  /** Channels whose outbound queues exist (every channel that can receive). */
  channels: readonly ChannelName[];
  shards: number;
  /** How reminders are planned (the planner's settings): timers that find a later turn re-arm with them. */
  reminders?: PlanSettings;
  now?: () => Date;
  log: Log;
  sleep?: (ms: number) => Promise<void>;
  /**
   * Keep accepted messages and undone outbox items in the database, and relay them at start
   * (`relay()`): the in-process queues hold nothing across a stop. Default: when the broker is the
   * in-memory one. With Redis, the queues themselves are durable.
   */
  durable?: boolean;
  /** With `durable`: completed job ids each queue keeps (default `RECENT_COMPLETED`). */
  recentJobs?: number;
}

/** Which workers a process runs. Outbound workers need the channel's sender in the same process. */
export interface Roles {
  inbound?: boolean;
  ingest?: boolean;
  timers?: boolean;
  outbound?: ReadonlyMap<ChannelName, ChannelSender>;
  /** Jobs at once on each outbound queue and on timers (inbound shards run one at a time each). */
  concurrency?: number;
  /** Ingest jobs at once: those running together are written in one statement. */
  ingestConcurrency?: number;
}

/**
 * The message pipeline: channels hand messages in (`accept`, quick), workers run engine turns in
 * per-person order, process events into the stakeholder tables, send replies within platform
 * limits and fire timers. Transport (the broker) is kept apart from what happens to a message.
 */
export class Pipeline {
  private readonly handles: WorkerHandle[] = [];
  private readonly now: () => Date;
  private readonly log: Log;

  private readonly inbox: Inbox | undefined;
  private readonly marks: OutboxMarks | undefined;

  constructor(private readonly o: PipelineOptions) {
    this.now = o.now ?? (() => new Date());
    this.log = o.log;
    if (o.durable ?? o.broker.kind === "memory") {
      this.inbox = new Inbox(o.sql);
      this.marks = new OutboxMarks(o.sql);
    }
  }

  /** Declare every queue (each process that adds or works must). */
  async declare(): Promise<void> {
    await declareQueues(this.o.broker, { shards: this.o.shards, channels: this.o.channels, ...(this.inbox ? { recentJobs: this.o.recentJobs ?? RECENT_COMPLETED } : {}) });
  }

  /**
   * Take a message from a channel: queued on the person's shard, deduplicated by the provider's
   * id. Resolves once it is safely queued (with the in-process queues: once it is in the database's
   * inbox); the channel acknowledges the platform after that.
   */
  async accept(inbound: Inbound): Promise<void> {
    const { vault } = this.o;
    const addressHash = vault.hashAddress(inbound.channel, inbound.address);
    const shard = shardOf(addressHash, this.o.shards);
    const messageId = vault.hashMessageId(inbound.channel, inbound.messageId);
    const job: InboundJob = {
      channel: inbound.channel,
      sealedAddress: Buffer.from(vault.encrypt(inbound.address)).toString("base64"),
      messageId,
      input: inbound.input,
      ...(inbound.language ? { language: inbound.language } : {}),
      at: inbound.at,
    };
    await this.inbox?.add({ channel: inbound.channel, messageId, addressHash, payload: job });
    await this.o.broker.put(QUEUES.inbound(shard), inbound.input.type, job, { id: `in-${inbound.channel}-${messageId}` });
  }

  /**
   * With the in-process queues, queue again what the database holds and the queues lost when the
   * process last stopped: accepted messages, undone outbox items, the timers of waiting sessions.
   * Call once at start, after `declare()` and before any channel receives. Nothing to do with Redis.
   */
  async relay(): Promise<Relayed | undefined> {
    if (!this.inbox || !this.marks) return undefined;
    return relay({ broker: this.o.broker, sql: this.o.sql, inbox: this.inbox, marks: this.marks, shards: this.o.shards, now: this.now, log: this.log });
  }

  /** Start the workers of the given roles. */
  async work(roles: Roles): Promise<void> {
    const { broker } = this.o;
    const concurrency = roles.concurrency ?? 8;
    if (roles.inbound) {
      const deps = { conversations: this.o.conversations, sql: this.o.sql, vault: this.o.vault, broker, now: this.now, log: this.log, ...(this.inbox ? { inbox: this.inbox } : {}) };
      // Each shard's worker is told its shard, rather than reading it back out of the queue's name.
      for (let i = 0; i < this.o.shards; i++) this.handles.push(await broker.work(QUEUES.inbound(i), validated(InboundJob, inboundProcessor(deps, i)), { concurrency: 1 }));
    }
    if (roles.ingest) {
      const ingest = this.marked(validated(IngestJob, ingestProcessor({ sql: this.o.sql, rules: this.o.rules, log: this.log })));
      this.handles.push(await broker.work(QUEUES.ingest, ingest, { concurrency: roles.ingestConcurrency ?? INGEST_CONCURRENCY }));
    }
    if (roles.timers) this.handles.push(await broker.work(QUEUES.timers, validated(TimerJob, timerProcessor(broker, this.o.sql, this.now, this.o.reminders)), { concurrency }));
    for (const [channel, sender] of roles.outbound ?? []) {
      const send = outboundProcessor({
        sql: this.o.sql,
        vault: this.o.vault,
        sender,
        gapMs: PER_PERSON_GAP_MS[channel],
        sleep: this.o.sleep ?? ((ms) => new Promise((r) => setTimeout(r, ms))),
        log: this.log,
      });
      this.handles.push(await broker.work(QUEUES.outbound(channel), this.marked(validated(OutboundJob, send)), { concurrency }));
    }
  }

  // With the in-process queues, a job made from an outbox item marks the item done when it ends
  // (done, or failed for good): the relay at start queues the others again. A mark that can't be
  // written (the database away) doesn't fail the job, which would send its reply again at once: the
  // item stays undone, and only a restart would queue it again (at least once, as after a kill).
  private marked<D>(processor: Processor<D>): Processor<D> {
    const marks = this.marks;
    if (!marks) return processor;
    const mark = (id: string) => marks.done(id).catch((e: unknown) => this.log.warn(`outbox ${id}: not marked done: ${(e as Error).message}`));
    return async (job) => {
      try {
        await processor(job);
      } catch (e) {
        if (e instanceof PermanentJobError || (!(e instanceof RetryLaterError) && job.attempt >= job.maxAttempts)) await mark(job.id);
        throw e;
      }
      await mark(job.id);
    };
  }

  /** Stop taking jobs and let the running ones finish. */
  async close(): Promise<void> {
    await Promise.all(this.handles.splice(0).map((h) => h.close()));
  }
}
