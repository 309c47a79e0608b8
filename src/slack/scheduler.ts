// The Slack app's clockwork, in every process that has it: each task force's weekly digest when its
// moment comes (on its territory's clocks), and new feedback gathered into one notice to its channel
// every INLOCO_FEEDBACK_NOTICE_EVERY seconds. Which process does each is settled in the database.
import type { WebClient } from "@slack/web-api";
import type { DigestMoment } from "../config/slack.ts";
import { feedbackNotice, type DigestsContext } from "../digests/index.ts";
import { releaseNotice, takeUnnoticedFeedback, unnoticedCount } from "../repos/feedback.ts";
import { listTaskForces, type TaskForceRow } from "../repos/task-forces.ts";
import type { Log } from "../log/log.ts";
import type { DigestPoster } from "./digest-poster.ts";
import type { ChannelPace } from "./pace.ts";
import { weeklyPeriod } from "./weekly-period.ts";

/** A weekly digest missed by more than this (every process was down) is not posted late. */
const CATCH_UP_MS = 24 * 3_600_000;
/** Feedback this fresh waits for the next notice: a burst goes out together. */
const SETTLE_MS = 60_000;
/** At most this many items in one notice (two blocks each, within Slack's 50). */
export const NOTICE_ITEMS = 20;

export interface SchedulerOptions {
  client: WebClient;
  digests: DigestsContext;
  poster: DigestPoster;
  pace: ChannelPace;
  digestAt: DigestMoment;
  noticeEverySeconds: number;
  log: Log;
  now?: () => Date;
  /** How often to look (default 30 s). */
  tickMs?: number;
}

export class SlackScheduler {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private lastNotice = 0;
  private stopped = false;

  constructor(private readonly o: SchedulerOptions) {}

  start(): void {
    this.schedule(1_000);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running;
  }

  /** One look: due weekly digests, then (when its time has come) new-feedback notices. */
  async tick(): Promise<void> {
    const now = this.now();
    const forces = (await listTaskForces(this.o.digests.sql)).filter((t) => t.slack_channel);
    for (const tf of forces) {
      const period = weeklyPeriod(now, this.o.digestAt, tf.time_zone);
      if (now.getTime() - period.to.getTime() > CATCH_UP_MS) continue;
      await this.o.poster.post(tf, { kind: "weekly", ...period, requestedBy: "system" }).catch((e: unknown) => {
        this.o.log.warn(`slack: the weekly digest of task force ${tf.id} failed, tried again later: ${(e as Error).message}`);
      });
    }
    if (now.getTime() - this.lastNotice >= this.o.noticeEverySeconds * 1000) {
      this.lastNotice = now.getTime();
      for (const tf of forces) await this.notice(tf, now);
    }
  }

  /** Post the task force's new feedback (settled a minute) as one message; handed back if it fails. */
  async notice(tf: TaskForceRow, now: Date): Promise<number> {
    const items = await takeUnnoticedFeedback(this.o.digests.sql, tf.id, new Date(now.getTime() - SETTLE_MS), now, NOTICE_ITEMS);
    if (items.length === 0 || !tf.slack_channel) return 0;
    try {
      const more = await unnoticedCount(this.o.digests.sql, tf.id);
      const message = await feedbackNotice(this.o.digests, tf, items, more);
      await this.o.pace.turn(tf.slack_channel);
      await this.o.client.chat.postMessage({ channel: tf.slack_channel, text: message.text, blocks: message.blocks, unfurl_links: false });
      return items.length;
    } catch (e) {
      await releaseNotice(this.o.digests.sql, items);
      this.o.log.warn(`slack: a new-feedback notice to task force ${tf.id} failed, tried again later: ${(e as Error).message}`);
      return 0;
    }
  }

  private schedule(ms: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.running = this.tick()
        .catch((e: unknown) => this.o.log.warn(`slack: a scheduler round failed: ${(e as Error).message}`))
        .finally(() => {
          this.running = undefined;
          this.schedule(this.o.tickMs ?? 30_000);
        });
    }, ms);
    this.timer.unref();
  }

  private now(): Date {
    return (this.o.now ?? (() => new Date()))();
  }
}
