// The broadcaster: the scheduled side of broadcasts, run by every worker process. Each round it makes
// the meeting reminders that are due, starts the broadcasts whose time has come (their people chosen
// then), and hands pending copies to the queues a few at a time — as many as the channel sends in a
// couple of seconds — so the queues never hold a backlog that would keep a reply waiting, and a pause
// or cancel finds almost everything still in the database. Which process does each step is decided
// in the database (row locks, an advisory lock per channel): exactly one fires each due item.
import type { ChannelName } from "../channel/contract.ts";
import type { Sql } from "../db/index.ts";
import type { Message } from "../engine/index.ts";
import type { InboundJob, OutboundJob } from "../jobs/jobs.ts";
import type { Log } from "../log/log.ts";
import { meetingParams } from "../messages/meeting.ts";
import type { Producer } from "../queue/types.ts";
import { segmentQuery } from "../broadcasts/segment.ts";
import {
  broadcastContents,
  broadcastsAtWork,
  deliveriesInFlight,
  failInterrupted,
  meetingTexts,
  planPromotions,
  planReminders,
  queuedSince,
  releaseDeliveries,
  settleBroadcasts,
  startDueBroadcasts,
  type QuietWindow,
  type ReleasedDelivery,
} from "../repos/broadcasts.ts";
import { fillAllFreePlaces } from "../repos/rsvps.ts";
import { PRIORITY, QUEUES, shardOf } from "./queues.ts";

/** How one channel's broadcast copies are paced. */
export interface BulkPace {
  /** Copies handed to the queues and not yet ended, at most. */
  inFlight: number;
  /** Wait at least this long between two copies handed over (WhatsApp), ms; each wait varies by ±50%. */
  gapMs?: number;
}

/** Per channel: Telegram about 2 s of its 30 a second; WhatsApp one at a time, slowly (bans). */
export const BULK_PACE: Record<ChannelName, BulkPace> = {
  telegram: { inFlight: 60 },
  whatsapp: { inFlight: 1, gapMs: 8000 },
  terminal: { inFlight: 20 },
};

export interface BroadcasterOptions {
  sql: Sql;
  broker: Producer;
  /** The channels this process sends on: it hands over their copies only. */
  channels: readonly ChannelName[];
  shards: number;
  quiet: QuietWindow | null;
  /** The time zone of people without a territory (INLOCO_TIME_ZONE). */
  defaultZone: string;
  pace?: Partial<Record<ChannelName, BulkPace>>;
  /** True with the in-process queues: at start, every copy in the queues was lost and is handed again. */
  queuesLostAtStart: boolean;
  now?: () => Date;
  log: Log;
  /** A round every this often while something is sending (default 200 ms), else every `idleMs` (1 s). */
  busyMs?: number;
  idleMs?: number;
  /** How often (real time) the ended are settled (default 1 s) and due reminders looked for (15 s); 0: every round. */
  sweepEveryMs?: number;
  remindersEveryMs?: number;
  /** A copy queued this long ago and not ended is handed to the queues again (default 60 s). */
  requeueAfterMs?: number;
  random?: () => number;
}

// A copy queued this long ago with no end is handed again (its job may be lost: Redis restarted
// without its data); the queue dedupes one still there by its id.
const REQUEUE_AFTER_MS = 60_000;
// A send call under way this long is taken to be cut off by its process's end.
const INTERRUPTED_AFTER_MS = 5 * 60_000;

/** Moves broadcasts from the database to the queues; start once per worker process. */
export class Broadcaster {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private stopped = true;
  private first = true;
  private lastReminders = 0;
  private lastSweep = 0;
  private readonly nextAt = new Map<ChannelName, number>();
  private readonly now: () => Date;

  constructor(private readonly o: BroadcasterOptions) {
    this.now = o.now ?? (() => new Date());
  }

  /** Begin the rounds. */
  start(): void {
    this.stopped = false;
    this.schedule(0);
  }

  /** Stop; a round under way finishes first. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running;
  }

  /** One round: reminders due, broadcasts due, copies handed over, the ended settled. How many are sending, how many copies went. */
  async round(): Promise<{ sending: number; released: number }> {
    const now = this.now();
    // Cadences are kept on the machine's clock: the injected one is the business's (tests move it).
    const t = Date.now();
    if (t - this.lastReminders >= (this.o.remindersEveryMs ?? 15_000)) {
      this.lastReminders = t;
      const made = await planReminders(this.o.sql, now);
      if (made > 0) this.o.log.info(`broadcasts: ${made} meeting reminders due`);
      // Places freed by anything but an answer (a person erased) go to the first waiting, then they are told.
      const filled = await fillAllFreePlaces(this.o.sql, now);
      if (filled > 0) this.o.log.info(`broadcasts: ${filled} moved up from waiting lists to a freed place`);
      const promoted = await planPromotions(this.o.sql, now);
      if (promoted > 0) this.o.log.info(`broadcasts: ${promoted} notices to people moved up from a waiting list`);
    }
    const started = await startDueBroadcasts(this.o.sql, now, segmentQuery, (id, e) =>
      this.o.log.error(`broadcast ${id}: cancelled, its segment can't be read: ${(e as Error).message}`),
    );
    for (const id of started) this.o.log.info(`broadcast ${id}: sending`);
    if (this.first || t - this.lastSweep >= (this.o.sweepEveryMs ?? 1000)) {
      await this.sweep(now);
      this.lastSweep = t;
    }
    this.first = false;
    const work = await broadcastsAtWork(this.o.sql);
    let released = 0;
    if (work.sending > 0) for (const channel of this.o.channels) released += await this.release(channel, now);
    return { sending: work.sending, released };
  }

  /** Expired copies skipped, ended broadcasts closed, lost jobs handed again, cut-off sends failed. */
  private async sweep(now: Date): Promise<void> {
    const settled = await settleBroadcasts(this.o.sql, now);
    for (const id of settled.finished) this.o.log.info(`broadcast ${id}: done`);
    const interrupted = await failInterrupted(this.o.sql, new Date(now.getTime() - INTERRUPTED_AFTER_MS), now);
    if (interrupted > 0) this.o.log.warn(`broadcasts: ${interrupted} copies whose send was cut off are not sent again (they may have arrived)`);
    const before = this.first && this.o.queuesLostAtStart ? now : new Date(now.getTime() - (this.o.requeueAfterMs ?? REQUEUE_AFTER_MS));
    const lost = await queuedSince(this.o.sql, this.o.channels, before);
    if (lost.length > 0) await this.handOver(lost, now);
  }

  private async release(channel: ChannelName, now: Date): Promise<number> {
    const pace = { ...BULK_PACE[channel], ...this.o.pace?.[channel] };
    // Paced on the machine's clock, like the rounds.
    if (Date.now() < (this.nextAt.get(channel) ?? 0)) return 0;
    const room = pace.inFlight - (await deliveriesInFlight(this.o.sql, channel));
    if (room <= 0) return 0;
    const released = await releaseDeliveries(this.o.sql, { channel, limit: pace.gapMs ? 1 : room, now, quiet: this.o.quiet, defaultZone: this.o.defaultZone });
    if (released.length === 0) return 0;
    if (pace.gapMs) this.nextAt.set(channel, Date.now() + pace.gapMs * (0.5 + (this.o.random ?? Math.random)()));
    await this.handOver(released, now);
    return released.length;
  }

  /** Put each copy's job: a text straight to its channel's queue, a flow's start on the person's shard. */
  private async handOver(copies: readonly ReleasedDelivery[], now: Date): Promise<void> {
    const contents = await broadcastContents(this.o.sql, [...new Set(copies.map((c) => c.broadcast_id))]);
    const meetings = await meetingTexts(this.o.sql, [...new Set([...contents.values()].flatMap((b) => (b.event_id ? [b.event_id] : [])))]);
    await Promise.all(
      copies.map(async (c) => {
        const b = contents.get(c.broadcast_id);
        if (!b) return;
        const id = `bc-${c.id}-${c.release}`;
        const delivery = { id: c.id, release: c.release };
        if (b.kind === "meeting" || b.kind === "flow") {
          const params: Record<string, string> = b.kind === "meeting" && b.event_id ? { event: b.event_id } : {};
          const job: InboundJob = {
            channel: c.channel,
            contactId: c.contact_id,
            // The copy's receipt: the turn it starts is kept once, however often its job runs.
            messageId: `bc-${c.id}`,
            input: { type: "start", flow: b.kind === "meeting" ? "rsvp" : (b.flow_id ?? undefined), params },
            at: now.toISOString(),
            delivery,
          };
          await this.o.broker.put(QUEUES.inbound(shardOf(c.address_hash, this.o.shards)), "start", job, { id });
          return;
        }
        const message = copyMessage(b, c.language, b.event_id ? meetings.get(b.event_id) : undefined);
        const job: OutboundJob = { channel: c.channel, contactId: c.contact_id, messages: [message], priority: "bulk", sent: 0, delivery: { ...delivery, from: "queued" } };
        await this.o.broker.put(QUEUES.outbound(c.channel), "send", job, { id, priority: PRIORITY.bulk });
      }),
    );
  }

  private schedule(ms: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.running = this.round()
        .catch((e: unknown) => {
          this.o.log.warn(`broadcasts: a round failed, tried again shortly: ${(e as Error).message}`);
          return { sending: 0, released: 0 };
        })
        .then(({ sending }) => {
          this.running = undefined;
          this.schedule(sending > 0 ? (this.o.busyMs ?? 200) : (this.o.idleMs ?? 1000));
        });
    }, ms);
    this.timer.unref();
  }
}

/** A text or meeting notice as the message a person gets, in their language (else the base one). */
export function copyMessage(
  b: { kind: string; messages: Record<string, string>; base_language: string },
  language: string,
  meeting: { title: Record<string, string>; base_language: string; starts_at: Date; time_zone: string; place: string } | undefined,
): Message {
  if (b.kind === "announcement") {
    const lang = b.messages[language] !== undefined ? language : b.base_language;
    return { key: "broadcast:announcement", params: { text: b.messages[lang] ?? "" }, lang, choices: [] };
  }
  // A task force's words go as written, framed in the person's own language.
  if (b.kind === "feedback_reply") return { key: "broadcast:feedback_reply", params: { text: b.messages.text ?? "", from: b.messages.from ?? "" }, lang: language, choices: [] };
  const params = meeting ? meetingParams({ title: meeting.title, baseLanguage: meeting.base_language, startsAt: meeting.starts_at, timeZone: meeting.time_zone, place: meeting.place }, language) : { title: "", when: "", place: "" };
  const key = `broadcast:${b.kind === "meeting_moved" || b.kind === "meeting_cancelled" || b.kind === "meeting_promoted" ? b.kind : "meeting_reminder"}`;
  return { key, params, lang: language, choices: [] };
}
