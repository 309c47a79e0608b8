// Telegram's flood control: the send-rate stores (in memory, and in Redis shared by processes) on a
// manual clock, the limiter's priorities, and senders against the fake Bot API enforcing Telegram's
// limits. Nothing here measures speed: counts, windows and orderings only.
import { randomUUID } from "node:crypto";
import { Redis } from "ioredis";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { TelegramFloodControl, TELEGRAM_LIMITS } from "../../bots/telegram/flood.ts";
import { botIdOf, telegramSender } from "../../bots/telegram/index.ts";
import { RateLimitedError } from "../../src/channel/contract.ts";
import { MemorySendRateStore, preciseNow, type SendLimits, type SendRateStore, type SlotRequest } from "../../src/channel/send-rate.ts";
import type { Message } from "../../src/engine/index.ts";
import { queueSettings, QUEUES } from "../../src/pipeline/queues.ts";
import { RedisSendRateStore } from "../../src/queue/send-rate-redis.ts";
import { testRedisUrl } from "../support/db.ts";
import { channelTexts } from "./context.ts";
import { BOT_TOKEN, FakeBotApi } from "./fake-bot-api.ts";

const texts = channelTexts();
const hello: Message = { key: "needs:intro", params: {}, lang: "en", choices: [] };
const SCOPE = "telegram:123456789";

/** A clock the test moves; `sleep` moves it too (a limiter waiting on it never really waits). */
class ManualClock {
  t = 1_800_000_000_000;
  readonly now = () => this.t;
  readonly sleep = async (ms: number) => {
    this.t += ms;
  };
}

const redisConnections: Redis[] = [];
afterAll(async () => {
  await Promise.all(redisConnections.map((r) => r.quit().catch(() => r.disconnect())));
});

/** A Redis store under a fresh prefix (as a separate process would have: its own connection). */
function redisStore(prefix: string, now?: () => number): RedisSendRateStore {
  const redis = new Redis(testRedisUrl(), { maxRetriesPerRequest: 1 });
  redisConnections.push(redis);
  return new RedisSendRateStore(redis, { prefix, ...(now ? { now } : {}) });
}

const request = (o: Partial<SlotRequest> & { id: string }): SlotRequest => ({ perChat: true, bulk: true, holder: "h1", moreReplies: false, ...o });

const STORES: Array<[string, (clock: ManualClock) => SendRateStore]> = [
  ["in memory", (clock) => new MemorySendRateStore(clock.now)],
  ["in Redis", (clock) => redisStore(`test-${randomUUID()}`, clock.now)],
];

describe.each(STORES)("the send-rate store %s", (_name, makeStore) => {
  it("never grants more than the limit in any window, counting each message until a window after its call completed", async () => {
    const clock = new ManualClock();
    const store = makeStore(clock);
    const limits: SendLimits = { ...TELEGRAM_LIMITS };
    const start = clock.t;
    const grants: Array<{ at: number; completed: number }> = [];
    const inFlight: Array<{ id: string; chat: string; completesAt: number; grant: { at: number; completed: number } }> = [];
    let n = 0;
    for (let step = 0; step < 3000; step++) {
      clock.t = start + step;
      for (const f of inFlight.filter((f) => f.completesAt <= clock.t)) {
        await store.release(SCOPE, limits, { id: f.id, chat: f.chat, perChat: true });
        f.grant.completed = clock.t;
        inFlight.splice(inFlight.indexOf(f), 1);
      }
      // Ask until refused: as many waiting senders would.
      for (;;) {
        const id = `m${n}`;
        const answer = await store.take(SCOPE, limits, request({ id, chat: `chat-${n}` }));
        if (!answer.granted) break;
        expect(answer.at).toBe(clock.t);
        // Calls take 0 to 89 ms, in an order that never repeats the pattern of the window.
        const grant = { at: clock.t, completed: Infinity };
        grants.push(grant);
        inFlight.push({ id, chat: `chat-${n}`, completesAt: clock.t + ((n * 37) % 90), grant });
        n++;
      }
    }
    // However Telegram placed each call between its grant and its completion, no second held more than 30:
    // when each was granted, fewer than 30 others had been granted and not completed a second before.
    for (const [j, g] of grants.entries()) {
      const overlapping = grants.slice(0, j).filter((e) => e.completed > g.at - limits.windowMs).length;
      expect(overlapping, `grant ${j}`).toBeLessThan(limits.perWindow);
      expect(grants.filter((e) => e.at > g.at - limits.windowMs && e.at <= g.at).length).toBeLessThanOrEqual(limits.perWindow);
    }
    // And it uses what it may: 3 s at 30 a second, less what the calls' time costs (up to 89 ms a window).
    expect(grants.length).toBeGreaterThanOrEqual(82);
  });

  it("lets a chat's burst go at once, then one a second counted from each completion; one call at a time per chat", async () => {
    const clock = new ManualClock();
    const store = makeStore(clock);
    const limits = TELEGRAM_LIMITS;
    const t0 = clock.t;
    for (let i = 1; i <= 3; i++) {
      expect(await store.take(SCOPE, limits, request({ id: `a${i}`, chat: "42", bulk: false }))).toMatchObject({ granted: true });
      // While a call to the chat is out, the next one to it waits; other chats don't.
      expect(await store.take(SCOPE, limits, request({ id: `x${i}`, chat: "42", bulk: false }))).toMatchObject({ granted: false, reason: "chat" });
      clock.t += 40;
      await store.release(SCOPE, limits, { id: `a${i}`, chat: "42", perChat: true });
    }
    // Burst used (completed at t0+40, +80, +120): the 4th may go a second after the first completed.
    const refused = await store.take(SCOPE, limits, request({ id: "a4", chat: "42", bulk: false }));
    expect(refused).toMatchObject({ granted: false, reason: "chat" });
    expect(t0 + 120 + (refused as { waitMs: number }).waitMs).toBeCloseTo(t0 + 40 + 1000, 3);
    expect(await store.take(SCOPE, limits, request({ id: "b1", chat: "43" }))).toMatchObject({ granted: true });
    clock.t = t0 + 1040;
    expect(await store.take(SCOPE, limits, request({ id: "a4", chat: "42", bulk: false }))).toMatchObject({ granted: true });
    // An edit (perChat false) of a chat's message counts only towards the bot's rate.
    clock.t += 100;
    expect(await store.take(SCOPE, limits, request({ id: "e1", chat: "42", perChat: false }))).toMatchObject({ granted: true });
  });

  it("refuses bulk, in every process, while a reply waits for the rate; the reply gets the next slot", async () => {
    const clock = new ManualClock();
    const store = makeStore(clock);
    const limits = TELEGRAM_LIMITS;
    // Two grants at once at most (pacing), then one every 33.3 ms.
    expect(await store.take(SCOPE, limits, request({ id: "b1", chat: "1", holder: "A" }))).toMatchObject({ granted: true });
    expect(await store.take(SCOPE, limits, request({ id: "b2", chat: "2", holder: "A" }))).toMatchObject({ granted: true });
    const bulkRefused = await store.take(SCOPE, limits, request({ id: "b3", chat: "3", holder: "A" }));
    expect(bulkRefused).toMatchObject({ granted: false, reason: "rate" });
    // Process B has a reply: refused for now too, and marked as waiting.
    const replyRefused = await store.take(SCOPE, limits, request({ id: "r1", chat: "9", holder: "B", bulk: false }));
    expect(replyRefused).toMatchObject({ granted: false, reason: "rate" });
    clock.t += (replyRefused as { waitMs: number }).waitMs + 1;
    // A's bulk asks first when the slot frees: refused, the slot is the reply's.
    expect(await store.take(SCOPE, limits, request({ id: "b3", chat: "3", holder: "A" }))).toMatchObject({ granted: false, reason: "replies" });
    expect(await store.take(SCOPE, limits, request({ id: "r1", chat: "9", holder: "B", bulk: false }))).toMatchObject({ granted: true });
    // The mark is gone with the reply: bulk goes on at the next slot.
    clock.t += limits.windowMs / limits.perWindow;
    expect(await store.take(SCOPE, limits, request({ id: "b3", chat: "3", holder: "A" }))).toMatchObject({ granted: true });
  });

  it("a reply's waiting mark expires on its own (its process died)", async () => {
    const clock = new ManualClock();
    const store = makeStore(clock);
    const limits = TELEGRAM_LIMITS;
    await store.take(SCOPE, limits, request({ id: "b1", chat: "1", holder: "A" }));
    await store.take(SCOPE, limits, request({ id: "b2", chat: "2", holder: "A" }));
    const refused = await store.take(SCOPE, limits, request({ id: "r1", chat: "9", holder: "B", bulk: false }));
    expect(refused).toMatchObject({ granted: false, reason: "rate" });
    clock.t += (refused as { waitMs: number }).waitMs + 300;
    expect(await store.take(SCOPE, limits, request({ id: "b3", chat: "3", holder: "A" }))).toMatchObject({ granted: true });
  });

  it("a pause stops every grant until it ends; a shorter pause doesn't shorten it", async () => {
    const clock = new ManualClock();
    const store = makeStore(clock);
    const limits = TELEGRAM_LIMITS;
    await store.pause(SCOPE, 2000);
    await store.pause(SCOPE, 500);
    expect(await store.take(SCOPE, limits, request({ id: "r1", chat: "1", bulk: false }))).toEqual({ granted: false, reason: "paused", waitMs: 2000 });
    clock.t += 1999;
    expect(await store.take(SCOPE, limits, request({ id: "r1", chat: "1", bulk: false }))).toMatchObject({ granted: false, reason: "paused" });
    clock.t += 1;
    expect(await store.take(SCOPE, limits, request({ id: "r1", chat: "1", bulk: false }))).toMatchObject({ granted: true });
    // Other bots are not paused.
    await store.pause(SCOPE, 5000);
    expect(await store.take("telegram:555", limits, request({ id: "o1", chat: "1" }))).toMatchObject({ granted: true });
  });
});

describe("the flood control of one process", () => {
  it("asks for a waiting reply before waiting bulk, and keeps each lane first come first served", async () => {
    const clock = new ManualClock();
    const flood = new TelegramFloodControl({ store: new MemorySendRateStore(clock.now), botId: "1", now: clock.now, sleep: clock.sleep });
    const order: string[] = [];
    const ask = (name: string, bulk: boolean) => flood.slot({ chat: name, perChat: true, bulk }).then(async (slot) => {
      order.push(name);
      await flood.done(slot);
    });
    const all = [ask("bulk-1", true), ask("bulk-2", true), ask("bulk-3", true), ask("reply-1", false), ask("bulk-4", true), ask("reply-2", false)];
    await Promise.all(all);
    // bulk-1 was being asked for when the others came; then the replies, then the rest of the bulk.
    expect(order).toEqual(["bulk-1", "reply-1", "reply-2", "bulk-2", "bulk-3", "bulk-4"]);
  });

  it("a message whose chat must wait doesn't hold up the others", async () => {
    const clock = new ManualClock();
    const flood = new TelegramFloodControl({ store: new MemorySendRateStore(clock.now), botId: "1", chatBurst: 1, now: clock.now, sleep: clock.sleep });
    const order: string[] = [];
    const t0 = clock.t;
    const ask = (name: string, chat: string) => flood.slot({ chat, perChat: true, bulk: false }).then(async (slot) => {
      order.push(`${name}@${Math.round(clock.t - t0)}`);
      await flood.done(slot);
    });
    await ask("a1", "A");
    await Promise.all([ask("a2", "A"), ask("b1", "B"), ask("c1", "C")]);
    expect(order[0]).toBe("a1@0");
    expect(order.slice(1, 3).map((o) => o.split("@")[0])).toEqual(["b1", "c1"]);
    expect(order[3]).toMatch(/^a2@/);
    expect(Number(order[3]!.split("@")[1])).toBeGreaterThanOrEqual(1000);
  });
});

describe("the flood control's transformer", () => {
  it("lets calls that put nothing into a chat through untouched; an edit counts for the bot, not the chat", async () => {
    const asked: SlotRequest[] = [];
    const memory = new MemorySendRateStore();
    const store: SendRateStore = {
      take: (scope, limits, r) => (asked.push(r), memory.take(scope, limits, r)),
      release: (scope, limits, slot) => memory.release(scope, limits, slot),
      pause: (scope, ms) => memory.pause(scope, ms),
    };
    const flood = new TelegramFloodControl({ store, botId: "1" });
    const ok = async () => ({ ok: true as const, result: true as never });
    for (const method of ["getUpdates", "answerCallbackQuery", "sendChatAction", "setMyCommands"]) await flood.transformer(ok, method as never, {} as never);
    expect(asked).toEqual([]);
    await flood.transformer(ok, "editMessageReplyMarkup" as never, { chat_id: 7, message_id: 1 } as never);
    await flood.transformer(ok, "sendMessage" as never, { chat_id: 7, text: "hi" } as never);
    expect(asked.map((r) => ({ chat: r.chat, perChat: r.perChat, bulk: r.bulk }))).toEqual([
      { chat: "7", perChat: false, bulk: false },
      { chat: "7", perChat: true, bulk: false },
    ]);
  });
});

describe("Telegram senders against the fake Bot API with Telegram's limits", () => {
  const apis: FakeBotApi[] = [];
  afterEach(async () => {
    await Promise.all(apis.splice(0).map((a) => a.close()));
  });

  async function limitedApi(): Promise<FakeBotApi> {
    const api = await FakeBotApi.start(0, { limits: true });
    apis.push(api);
    return api;
  }

  /** A broadcast to `bulk` people and three-message replies to `chatting` people, all at once, split over the senders. */
  async function sendMix(senders: Array<ReturnType<typeof telegramSender>>, bulk: number, chatting: number): Promise<void> {
    const pick = (i: number) => senders[i % senders.length]!;
    await Promise.all([
      ...Array.from({ length: bulk }, (_, i) => pick(i).send(String(1000 + i), hello, { bulk: true })),
      ...Array.from({ length: chatting }, async (_, i) => {
        for (let m = 0; m < 3; m++) await pick(i).send(String(9000 + i), hello);
      }),
    ]);
  }

  it("one sender: every message delivered, none refused with 429, never more than 30 in a second", async () => {
    const api = await limitedApi();
    const sender = telegramSender({ token: BOT_TOKEN, texts, apiRoot: api.url, flood: { store: new MemorySendRateStore() } });
    await sendMix([sender], 60, 5);
    expect(api.tooManyRequests).toBe(0);
    expect(api.callsOf("sendMessage")).toHaveLength(75);
    expect(api.busiestWindow()).toBeLessThanOrEqual(30);
    for (let i = 0; i < 5; i++) expect(api.messages(9000 + i)).toHaveLength(3);
  });

  it("two processes sharing one Redis keep the limit together: no 429", async () => {
    const api = await limitedApi();
    const prefix = `test-${randomUUID()}`;
    // Each its own connection, store and limiter, as two worker processes would have.
    const senders = [0, 1].map(() => telegramSender({ token: BOT_TOKEN, texts, apiRoot: api.url, flood: { store: redisStore(prefix) } }));
    await sendMix(senders, 70, 5);
    expect(api.tooManyRequests).toBe(0);
    expect(api.callsOf("sendMessage")).toHaveLength(85);
    expect(api.busiestWindow()).toBeLessThanOrEqual(30);
  });

  it.each([
    // One store, two limiters: a channel's and a worker's sender in one process.
    ["in this process", (): [SendRateStore, SendRateStore] => {
      const store = new MemorySendRateStore();
      return [store, store];
    }],
    // Two connections to one Redis: two processes.
    ["across processes (Redis)", (): [SendRateStore, SendRateStore] => {
      const prefix = `test-${randomUUID()}`;
      return [redisStore(prefix), redisStore(prefix)];
    }],
  ])("a 429 stops all sending for the bot for retry_after, %s", async (_name, makeStores) => {
    const api = await limitedApi();
    api.fail("sendMessage", { error_code: 429, description: "Too Many Requests: retry after 1", parameters: { retry_after: 1 } }, { times: 1 });
    const [first, second] = makeStores();
    const a = telegramSender({ token: BOT_TOKEN, texts, apiRoot: api.url, flood: { store: first } });
    const b = telegramSender({ token: BOT_TOKEN, texts, apiRoot: api.url, flood: { store: second } });
    const before = preciseNow();
    await expect(a.send("1", hello)).rejects.toBeInstanceOf(RateLimitedError);
    // The other limiter sends nothing until the second is over.
    await b.send("2", hello);
    expect(api.counted).toHaveLength(1);
    expect(api.counted[0]!.at - before).toBeGreaterThanOrEqual(1000);
    expect(api.tooManyRequests).toBe(0);
  });

  it("a long retry_after fails the waiting sends at once (their jobs wait in the queue), sending nothing", async () => {
    const api = await limitedApi();
    api.fail("sendMessage", { error_code: 429, description: "Too Many Requests: retry after 30", parameters: { retry_after: 30 } }, { times: 1 });
    const store = new MemorySendRateStore();
    const sender = telegramSender({ token: BOT_TOKEN, texts, apiRoot: api.url, flood: { store } });
    await expect(sender.send("1", hello)).rejects.toBeInstanceOf(RateLimitedError);
    const held = await sender.send("2", hello, { bulk: true }).catch((e: unknown) => e);
    expect(held).toBeInstanceOf(RateLimitedError);
    expect((held as RateLimitedError).retryAfterSeconds).toBe(30);
    expect(api.callsOf("sendMessage")).toHaveLength(1);
  });
});

describe("wiring", () => {
  it("the Telegram outbound queue has no job rate of its own: the flood control is the gate", () => {
    const settings = new Map(queueSettings({ shards: 1, channels: ["telegram", "whatsapp"] }));
    expect(settings.get(QUEUES.outbound("telegram"))?.rateLimit).toBeUndefined();
    expect(settings.get(QUEUES.outbound("whatsapp"))?.rateLimit).toBeDefined();
  });

  it("the bot's id names its shared counts", () => {
    expect(botIdOf(BOT_TOKEN)).toBe("123456789");
  });
});

beforeAll(() => {
  // The limits these tests assume are Telegram's defaults.
  expect(TELEGRAM_LIMITS).toMatchObject({ perWindow: 30, windowMs: 1000, chatBurst: 3, chatIntervalMs: 1000 });
});
