// How long the pipeline's delivery records live. Receipts (processed_messages, ingest_receipts) and
// the outbox exist so that a repeated delivery is recognised and handed the first time's outbox; past
// every redelivery window (the queues keep job ids 24 h) they protect nothing, and the outbox still
// holds what the bot said to someone. They are pruned once older than INLOCO_DELIVERY_RECORDS_KEEP.
import type { Sql } from "../db/index.ts";
import type { Log } from "../log/log.ts";
import { pruneReceipts, type Pruned } from "../repos/receipts.ts";

export interface RetentionOptions {
  sql: Sql;
  /** Keep records this many seconds. */
  keepSeconds: number;
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
  async sweep(): Promise<Pruned> {
    const now = (this.o.now ?? (() => new Date()))();
    return pruneReceipts(this.o.sql, new Date(now.getTime() - this.o.keepSeconds * 1000));
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
