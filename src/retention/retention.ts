// How long the pipeline's delivery records live. Receipts (processed_messages, ingest_receipts) and
// the outbox exist so that a repeated delivery is recognised and handed the first time's outbox; past
// every redelivery window (the queues keep job ids 24 h) they protect nothing, and the outbox still
// holds what the bot said to someone. They are pruned once older than INLOCO_DELIVERY_RECORDS_KEEP.
// With INLOCO_ANSWERS_KEEP, answers and feedback older than it go too (src/repos/answer-retention.ts).
import type { Sql } from "../db/index.ts";
import type { Log } from "../log/log.ts";
import { expireAnswers, type Expired } from "../repos/answer-retention.ts";
import { pruneReceipts, type Pruned } from "../repos/receipts.ts";

/** What one sweep removed: delivery records, and (with an answers window) answers, runs and feedback made anonymous. */
export type Swept = Pruned & Expired;

export interface RetentionOptions {
  sql: Sql;
  /** Keep records this many seconds. */
  keepSeconds: number;
  /** Keep answers and feedback's text and person this many seconds; undefined: until erased. */
  answersKeepSeconds?: number | undefined;
  /** How often to prune (default hourly). */
  everyMs?: number;
  now?: () => Date;
  log?: Log;
}

/** Prunes delivery records now and then, in the background of a worker process. */
export class RetentionSweeper {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;

  constructor(private readonly o: RetentionOptions) {}

  /** Prune once soon (not during start-up), then every `everyMs`. */
  start(): void {
    const every = this.o.everyMs ?? 3_600_000;
    // A little spread, so that processes started together don't all prune at the same moment.
    const first = Math.min(every, 60_000) * (0.5 + Math.random() / 2);
    this.timer = setTimeout(() => this.tick(every), first);
    this.timer.unref();
  }

  /** Prune now: what was removed. */
  async sweep(): Promise<Swept> {
    const now = (this.o.now ?? (() => new Date()))();
    const pruned = await pruneReceipts(this.o.sql, new Date(now.getTime() - this.o.keepSeconds * 1000));
    const keep = this.o.answersKeepSeconds;
    const expired = keep === undefined ? { answers: 0, runs: 0, feedback: 0 } : await expireAnswers(this.o.sql, new Date(now.getTime() - keep * 1000));
    return { ...pruned, ...expired };
  }

  /** Stop; a prune under way finishes first. */
  async stop(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    await this.running;
  }

  private tick(every: number): void {
    this.running = this.sweep()
      .then((p) => {
        if (p.receipts + p.outbox + p.ingestReceipts > 0) this.o.log?.info(`retention: pruned ${p.receipts} receipts, ${p.outbox} outbox items, ${p.ingestReceipts} ingest receipts`);
        if (p.answers + p.runs + p.feedback > 0) this.o.log?.info(`retention: deleted ${p.answers} answers and ${p.runs} survey runs, made ${p.feedback} feedback anonymous`);
      })
      .catch((e: unknown) => this.o.log?.warn(`retention: pruning failed, tried again later: ${(e as Error).message}`))
      .finally(() => {
        this.running = undefined;
        if (this.timer !== undefined) {
          this.timer = setTimeout(() => this.tick(every), every);
          this.timer.unref();
        }
      });
  }
}
