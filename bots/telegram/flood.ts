// Telegram's flood control: every call that puts a message into a chat waits here for a slot, so a bot
// sends as fast as Telegram allows (about 30 messages a second, about 1 a second per chat) and no faster.
//
// Design (after grammY's transformer-throttler and auto-retry, written for our needs):
// - A grammY API transformer, installed on the bot: the sender's messages, the receiver's tap edits and
//   group greetings all pass it, so nothing reaches Telegram around it.
// - The counting lives in a SendRateStore (src/channel/send-rate.ts, where its rules are explained):
//   Redis when the queues are in Redis, so every process sending for the bot shares one budget; an
//   in-process one otherwise. A slot counts until a second after its call *completed*: however slow the
//   network, Telegram never sees more than the limit in a second, with no margin taken off the rate.
// - Replies before bulk: a broadcast's sends run in the bulk lane (`inBulkLane`). In this process, a
//   waiting reply is always asked for first; across processes, the store refuses bulk while any process
//   has a reply waiting for the rate. No capacity is reserved: with nobody chatting, bulk gets it all.
// - One request to the store at a time per process (a pump), not one per waiting message: the store is
//   asked about once per slot, and a message whose chat must wait doesn't hold up the others.
// - A 429 that still happens (another program on the same token, Telegram's own mood) pauses the whole
//   bot in the store for its retry_after: every process stops, not just the job that got it. A pause
//   longer than `maxHoldMs` fails the waiting sends with RateLimitedError, so their jobs wait in the
//   queue (delayed) instead of holding a worker.
import { AsyncLocalStorage } from "node:async_hooks";
import { randomUUID } from "node:crypto";
import { setTimeout as delay } from "node:timers/promises";
import type { Transformer } from "grammy";
import { RateLimitedError, SendAbandonedError } from "../../src/channel/contract.ts";
import { preciseNow, type SendLimits, type SendRateStore, type SlotRelease } from "../../src/channel/send-rate.ts";
import { silentLog, type Log } from "../../src/log/log.ts";
import { describe } from "../handover.ts";

/** Telegram's limits as we keep them (shared/PLATFORM-LIMITS.md); per bot, whatever the number of processes. */
export const TELEGRAM_LIMITS: SendLimits = {
  perWindow: 30,
  windowMs: 1000,
  // A turn is 1–3 messages: they go at once, then 1 a second (Telegram tolerates short bursts to a chat).
  chatBurst: 3,
  chatIntervalMs: 1000,
  leaseMs: 30_000,
};

/** How long a refused request waits at most before asking again (a slot may free in another process). */
const MAX_POLL_MS = 250;

/** Calls that put something into a chat: they count towards the bot's rate. */
const COUNTED = /^(send|edit|copy|forward)/;
/** A call that is no message at all, though its name says send ("typing…"). */
const NOT_COUNTED = new Set(["sendChatAction"]);
/** Of those, the ones that make a new message: they count towards the chat's own limit too (an edit does not). */
const NEW_MESSAGE = /^(send|copy|forward)/;

/** How the calls of one send go: in the bulk lane or not, and what to ask once the first has its slot. */
export interface Lane {
  bulk: boolean;
  beforeCall?: () => Promise<boolean>;
  /** `beforeCall` was asked (once per send). */
  asked?: boolean;
}

const lanes = new AsyncLocalStorage<Lane>();

/** Run `send` with every Telegram call made inside it in `lane` (bulk: behind any waiting reply). */
export function inLane<T>(lane: Lane, send: () => Promise<T>): Promise<T> {
  return lanes.run(lane, send);
}

/** Run `send` with every Telegram call made inside it in the bulk lane (behind any waiting reply). */
export function inBulkLane<T>(send: () => Promise<T>): Promise<T> {
  return inLane({ bulk: true }, send);
}

/** Ask the lane's `beforeCall`, once: SendAbandonedError when it says no. */
export async function askLane(lane: Lane): Promise<void> {
  if (!lane.beforeCall || lane.asked) return;
  lane.asked = true;
  if (!(await lane.beforeCall())) throw new SendAbandonedError("telegram");
}

export interface TelegramFloodOptions {
  /** Where the counts are kept: shared by every process of the bot (Redis), or this process's. */
  store: SendRateStore;
  /** The bot's id (the token's digits before the colon): processes of one bot share its counts. */
  botId: string;
  /** Messages a second, per bot (default 30). */
  perSecond?: number;
  /** Messages to one chat that may go at once, before one a second (default 3). */
  chatBurst?: number;
  /** A pause (retry_after) longer than this fails the waiting sends at once instead of holding them (default 5 s). */
  maxHoldMs?: number;
  /** This process's clock, for its own waits (the store keeps its own). */
  now?: () => number;
  /** Waits `ms`, or less if `signal` aborts. */
  sleep?: (ms: number, signal: AbortSignal) => Promise<void>;
  log?: Log;
}

interface Waiter {
  readonly chat: string | undefined;
  readonly perChat: boolean;
  readonly bulk: boolean;
  /** Its chat is busy until then (by this process's clock): others go first. */
  notBefore: number;
  resolve(slot: SlotRelease): void;
  reject(error: unknown): void;
}

/** A bot's flood control; `transformer` goes on the bot's API (`bot.api.config.use`). */
export class TelegramFloodControl {
  readonly limits: SendLimits;
  private readonly scope: string;
  private readonly holder = randomUUID();
  private readonly waiting: Waiter[] = [];
  private readonly now: () => number;
  private readonly sleep: (ms: number, signal: AbortSignal) => Promise<void>;
  private readonly log: Log;
  private pumping = false;
  /** Aborted to end the pump's rest early; with what it rests for (a slot of the bot, or chats to be free). */
  private wake: { controller: AbortController; for: "rate" | "chats" } | undefined;
  private nextId = 0;

  constructor(private readonly o: TelegramFloodOptions) {
    this.limits = { ...TELEGRAM_LIMITS, perWindow: o.perSecond ?? TELEGRAM_LIMITS.perWindow, chatBurst: o.chatBurst ?? TELEGRAM_LIMITS.chatBurst };
    this.scope = `telegram:${o.botId}`;
    this.now = o.now ?? preciseNow;
    this.sleep = o.sleep ?? ((ms, signal) => delay(Math.ceil(ms), undefined, { signal }).catch(() => undefined));
    this.log = o.log ?? silentLog;
  }

  /** Every call that puts a message into a chat waits for its slot; a 429 pauses the whole bot. */
  readonly transformer: Transformer = async (prev, method, payload, signal) => {
    if (!COUNTED.test(method) || NOT_COUNTED.has(method)) return prev(method, payload, signal);
    const chatId = (payload as { chat_id?: unknown }).chat_id;
    const chat = typeof chatId === "number" || typeof chatId === "string" ? String(chatId) : undefined;
    const lane = lanes.getStore();
    const slot = await this.slot({ chat, perChat: NEW_MESSAGE.test(method), bulk: lane?.bulk === true });
    try {
      // The send's last moment to decide, now that nothing but the call itself is left (a broadcast claims its copy).
      if (lane) await askLane(lane);
      const answer = await prev(method, payload, signal);
      // Paused before the slot is handed back, so that nothing slips out in between.
      if (!answer.ok && answer.error_code === 429) await this.pause(answer.parameters?.retry_after ?? 1, method);
      return answer;
    } finally {
      await this.done(slot);
    }
  };

  /** Wait for a slot for one message (into `chat`, when it names one); hand it back with `done`. */
  slot(o: { chat: string | undefined; perChat: boolean; bulk: boolean }): Promise<SlotRelease> {
    return new Promise<SlotRelease>((resolve, reject) => {
      this.waiting.push({ ...o, notBefore: 0, resolve, reject });
      // A reply is asked for at once; so is anything while the others wait for their chats. A bulk
      // message arriving while the bot's rate is what everyone waits for would only be refused.
      if (!o.bulk || this.wake?.for !== "rate") this.pump();
    });
  }

  /** The slot's call completed (sent, refused or failed): it counts one window more from now. */
  async done(slot: SlotRelease): Promise<void> {
    // Not released (Redis away), the slot still stops counting when its lease ends.
    await this.o.store.release(this.scope, this.limits, slot).catch((e: unknown) => this.log.warn(`telegram: flood control: releasing a slot: ${describe(e)}`));
    // Its chat's next message may be waiting here (a slot of the bot, though, frees only a window later).
    let sameChat = false;
    for (const w of this.waiting) {
      if (slot.chat === undefined || w.chat !== slot.chat) continue;
      w.notBefore = 0;
      sameChat = true;
    }
    if (sameChat) this.wake?.controller.abort();
  }

  /** Telegram said 429: no process sends for this bot for `retryAfterSeconds`. */
  async pause(retryAfterSeconds: number, method = "a call"): Promise<void> {
    this.log.warn(`telegram: 429 on ${method}: every process pauses sending for ${retryAfterSeconds} s (retry_after)`);
    await this.o.store.pause(this.scope, retryAfterSeconds * 1000).catch((e: unknown) => this.log.warn(`telegram: flood control: pausing: ${describe(e)}`));
    this.wake?.controller.abort();
  }

  /** Messages waiting for a slot in this process. */
  get pending(): number {
    return this.waiting.length;
  }

  // One request to the store at a time: replies first, then bulk, first come first served in each lane;
  // one whose chat must wait steps aside until then.
  private pump(): void {
    if (this.pumping) {
      this.wake?.controller.abort();
      return;
    }
    this.pumping = true;
    void this.run().finally(() => {
      this.pumping = false;
      if (this.waiting.length > 0) this.pump();
    });
  }

  private async run(): Promise<void> {
    while (this.waiting.length > 0) {
      const now = this.now();
      const next = this.pick(now);
      if (!next) {
        await this.rest(Math.min(...this.waiting.map((w) => w.notBefore)) - now, "chats");
        continue;
      }
      const moreReplies = this.waiting.some((w) => w !== next && !w.bulk && w.notBefore <= now);
      const id = `${this.holder}:${++this.nextId}`;
      let answer;
      try {
        answer = await this.o.store.take(this.scope, this.limits, { chat: next.chat, perChat: next.perChat, bulk: next.bulk, holder: this.holder, id, moreReplies });
      } catch (e) {
        // The store can't be reached: fail what waits (their jobs are retried) rather than send uncounted.
        this.log.warn(`telegram: flood control: the store can't be asked (${describe(e)}); ${this.waiting.length} sends fail for now`);
        for (const w of this.waiting.splice(0)) w.reject(e);
        return;
      }
      if (answer.granted) {
        this.waiting.splice(this.waiting.indexOf(next), 1);
        next.resolve({ id, ...(next.chat !== undefined ? { chat: next.chat } : {}), perChat: next.perChat });
      } else if (answer.reason === "chat") {
        next.notBefore = now + answer.waitMs;
      } else if (answer.reason === "paused" && answer.waitMs > (this.o.maxHoldMs ?? 5_000)) {
        const error = new RateLimitedError("telegram", Math.ceil(answer.waitMs / 1000), "flood control: the bot is paused");
        for (const w of this.waiting.splice(0)) w.reject(error);
      } else {
        await this.rest(Math.min(answer.waitMs, MAX_POLL_MS), "rate");
      }
    }
  }

  /** The next to ask for: the first ready reply, else the first ready bulk message. */
  private pick(now: number): Waiter | undefined {
    let bulk: Waiter | undefined;
    for (const w of this.waiting) {
      if (w.notBefore > now) continue;
      if (!w.bulk) return w;
      bulk ??= w;
    }
    return bulk;
  }

  /** Sleep up to `ms`; a new arrival or a slot handed back here wakes it early. */
  private async rest(ms: number, reason: "rate" | "chats"): Promise<void> {
    if (ms <= 0) return;
    const wake = { controller: new AbortController(), for: reason };
    this.wake = wake;
    await this.sleep(ms, wake.controller.signal);
    if (this.wake === wake) this.wake = undefined;
  }
}
