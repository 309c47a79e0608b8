// The shared state behind a channel's flood control: how many messages a bot sent lately, to whom, and
// whether the platform told it to wait. A channel's limiter (bots/telegram/flood.ts) asks a store for
// one slot per message; the store decides atomically, so every process sending for the same bot can
// share one (Redis: src/queue/send-rate-redis.ts; one process: MemorySendRateStore below).
//
// The rules, the same in every store (the Lua script mirrors `take`/`release` below line by line):
// - At most `perWindow` messages in any `windowMs` (a sliding window). A message counts from the
//   moment its slot is granted until `windowMs` after its call *completed*: the platform saw it
//   somewhere in between, so however long the call took, no window of the platform's holds more than
//   `perWindow` of ours. (Counting from the grant alone would need a safety margin as large as the
//   worst latency spread.) A call that never reports back counts until `leaseMs` + `windowMs`.
// - Paced: grants are spread `windowMs / perWindow` apart on a virtual timeline (at most two at once),
//   so a bulk send does not take the whole window in one burst and leave a reply waiting for the next.
// - Per chat, a token bucket: `chatBurst` messages may go at once, then one every `chatIntervalMs`,
//   also counted from completion; one call at a time per chat, which keeps a person's messages in order.
// - Replies first: while a holder (one limiter, in one process) has a reply waiting for the global rate,
//   bulk messages of every holder are refused; a waiting mark expires on its own if its process dies.
// - A pause (the platform's retry_after) stops every grant for the bot until it ends.

/** The limits a store enforces, given with every request (so one store serves any channel's limits). */
export interface SendLimits {
  /** Messages at most in any window (Telegram: 30 a second per bot). */
  perWindow: number;
  windowMs: number;
  /** Messages to one chat that may go one after the other without waiting. */
  chatBurst: number;
  /** After the burst, one message to that chat every this long. */
  chatIntervalMs: number;
  /** A granted slot whose call never reports back counts as done after this long (its process died). */
  leaseMs: number;
}

/** One message asking for a slot. */
export interface SlotRequest {
  /** The chat it goes to; absent when the call names none (it then counts only towards the bot's rate). */
  chat?: string;
  /** Whether the chat's own limit applies (a new message: yes; an edit of one: no). */
  perChat: boolean;
  /** A broadcast's message: yields to any reply waiting in any process. */
  bulk: boolean;
  /** Who asks: one id per limiter (per process and bot); its waiting replies are marked under it. */
  holder: string;
  /** Unique per request: the slot's name while it counts. */
  id: string;
  /** The holder has other replies ready to go after this one (keeps its waiting mark). */
  moreReplies: boolean;
}

/** Why a slot was refused: `chat` concerns this chat alone; the others hold every message of the bot. */
export type RefusedBecause = "chat" | "rate" | "replies" | "paused";

export type SlotAnswer =
  | { granted: true; /** When the store granted it, ms since the epoch, by the store's clock. */ at: number }
  | { granted: false; reason: RefusedBecause; /** Try again after this long. */ waitMs: number };

/** A granted slot, handed back once its call completed (whatever the answer). */
export interface SlotRelease {
  id: string;
  chat?: string;
  perChat: boolean;
}

/** The shared state of a bot's sending; `scope` names the bot (`telegram:123456789`). Atomic per call. */
export interface SendRateStore {
  /** Grant a slot for one message now, or say why not and how long to wait. */
  take(scope: string, limits: SendLimits, request: SlotRequest): Promise<SlotAnswer>;
  /** The call of a granted slot completed: it counts for `windowMs` more, and its chat's next message waits. */
  release(scope: string, limits: SendLimits, slot: SlotRelease): Promise<void>;
  /** The platform said "too many requests, retry after": no slot is granted for `ms` (or longer, if paused longer). */
  pause(scope: string, ms: number): Promise<void>;
}

/** How long a reply's waiting mark lasts past the wait it was told (refreshed while it keeps waiting). */
export const REPLY_MARK_MS = 250;
/** A chat with a call in flight: ask again after at most this long. */
export const CHAT_BUSY_RETRY_MS = 50;

/** A clock with sub-millisecond precision, in ms since the epoch (what the stores count with by default). */
export function preciseNow(): number {
  return performance.timeOrigin + performance.now();
}

interface ChatState {
  tat: number;
  busyUntil: number;
}

interface ScopeState {
  /** Slot id → until when it counts. */
  slots: Map<string, number>;
  /** The pacing's next theoretical grant. */
  tat: number;
  pausedUntil: number;
  /** Holder → until when its reply-waiting mark holds. */
  replies: Map<string, number>;
  chats: Map<string, ChatState>;
}

/** The store of one process (the in-memory broker's zero-setup default): the same rules, in a Map. */
export class MemorySendRateStore implements SendRateStore {
  private readonly scopes = new Map<string, ScopeState>();

  /** `now`: the clock, ms since the epoch (tests pass a manual one). */
  constructor(private readonly now: () => number = preciseNow) {}

  async take(scope: string, limits: SendLimits, r: SlotRequest): Promise<SlotAnswer> {
    const s = this.state(scope);
    const now = this.now();
    if (s.pausedUntil > now) return { granted: false, reason: "paused", waitMs: s.pausedUntil - now };
    for (const [holder, until] of s.replies) if (until <= now) s.replies.delete(holder);
    if (r.bulk) {
      s.replies.delete(r.holder); // it asks for bulk: none of its replies is ready
      if (s.replies.size > 0) return { granted: false, reason: "replies", waitMs: limits.windowMs / limits.perWindow };
    }
    const chat = r.chat !== undefined && r.perChat ? s.chats.get(r.chat) : undefined;
    if (chat && chat.busyUntil > now) return { granted: false, reason: "chat", waitMs: Math.min(chat.busyUntil - now, CHAT_BUSY_RETRY_MS) };
    if (chat) {
      const allowedAt = chat.tat - (limits.chatBurst - 1) * limits.chatIntervalMs;
      if (allowedAt > now) return { granted: false, reason: "chat", waitMs: allowedAt - now };
    }
    const spacing = limits.windowMs / limits.perWindow;
    let waitMs = s.tat - spacing - now;
    if (waitMs <= 0) {
      for (const [id, until] of s.slots) if (until <= now) s.slots.delete(id);
      if (s.slots.size >= limits.perWindow) waitMs = Math.min(...s.slots.values()) - now;
    }
    if (waitMs > 0) {
      if (!r.bulk) s.replies.set(r.holder, now + waitMs + REPLY_MARK_MS);
      return { granted: false, reason: "rate", waitMs };
    }
    s.tat = Math.max(s.tat, now) + spacing;
    s.slots.set(r.id, now + limits.leaseMs + limits.windowMs);
    if (r.chat !== undefined && r.perChat) s.chats.set(r.chat, { tat: chat?.tat ?? 0, busyUntil: now + limits.leaseMs });
    if (!r.bulk) {
      if (r.moreReplies) s.replies.set(r.holder, now + REPLY_MARK_MS);
      else s.replies.delete(r.holder);
    }
    return { granted: true, at: now };
  }

  async release(scope: string, limits: SendLimits, slot: SlotRelease): Promise<void> {
    const s = this.state(scope);
    const now = this.now();
    if (s.slots.has(slot.id)) s.slots.set(slot.id, now + limits.windowMs);
    if (slot.chat === undefined || !slot.perChat) return;
    const chat = s.chats.get(slot.chat);
    s.chats.set(slot.chat, { tat: Math.max(chat?.tat ?? 0, now) + limits.chatIntervalMs, busyUntil: 0 });
    // Chats whose bucket is full again are forgotten (a broadcast reaches thousands of them).
    for (const [id, c] of s.chats) if (c.tat <= now && c.busyUntil <= now) s.chats.delete(id);
  }

  async pause(scope: string, ms: number): Promise<void> {
    const s = this.state(scope);
    s.pausedUntil = Math.max(s.pausedUntil, this.now() + ms);
  }

  private state(scope: string): ScopeState {
    let s = this.scopes.get(scope);
    if (!s) {
      s = { slots: new Map(), tat: 0, pausedUntil: 0, replies: new Map(), chats: new Map() };
      this.scopes.set(scope, s);
    }
    return s;
  }
}
