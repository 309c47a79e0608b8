// A whole In Loco for broadcast tests: the real pipeline (in-process queues) on a real PostgreSQL, the
// real Telegram channel talking to a fake Bot API, the broadcaster on an injected clock, and people who
// went through onboarding by tapping its buttons. Rounds of the broadcaster are run by the test.
import { randomUUID } from "node:crypto";
import type { InlineKeyboardButton } from "grammy/types";
import { TelegramChannel } from "../../bots/telegram/index.ts";
import { Conversations } from "../../src/conversation/conversations.ts";
import { generateKey, IdentityVault } from "../../src/db/index.ts";
import type { EngineContext } from "../../src/engine/index.ts";
import { outboxPlanner } from "../../src/effects/registry.ts";
import { silentLog, type Log } from "../../src/log/log.ts";
import { Broadcaster, type BulkPace } from "../../src/pipeline/broadcaster.ts";
import { Pipeline } from "../../src/pipeline/pipeline.ts";
import { MemoryBroker } from "../../src/queue/index.ts";
import type { Broker } from "../../src/queue/types.ts";
import { DatabaseConversationStore } from "../../src/repos/conversations.ts";
import { eventsForStart } from "../../src/repos/events-for-start.ts";
import type { QuietWindow } from "../../src/repos/broadcasts.ts";
import { seedDemo } from "../../src/repos/seed.ts";
import { BOT_INFO, BOT_TOKEN, FakeBotApi, type BotMessage } from "../bots/fake-bot-api.ts";
import type { TestDatabase } from "../support/db.ts";
import { testContext } from "../support/engine.ts";
import type { BroadcastsContext } from "../../src/broadcasts/index.ts";
import type { MeetingsContext } from "../../src/meetings/index.ts";

/** A clock the test moves. */
export class Clock {
  constructor(private t: number) {}
  now = (): Date => new Date(this.t);
  advance(ms: number): void {
    this.t += ms;
  }
  set(at: Date): void {
    this.t = at.getTime();
  }
}

export interface World {
  api: FakeBotApi;
  broker: Broker;
  broadcaster: Broadcaster;
  clock: Clock;
  /** Contexts of the services, on the world's clock. */
  broadcasts: BroadcastsContext;
  meetings: MeetingsContext;
  /** A person goes through onboarding on Telegram: start from a territory's poster, language, consent, contact. */
  newcomer(chat: number, language: string, territory?: string): Promise<void>;
  /** The person taps the button whose callback data is `data` (or whose label is `label`). */
  tap(chat: number, which: { data: string } | { label: string }): Promise<void>;
  /** The person writes. */
  say(chat: number, text: string): Promise<void>;
  /** What the person has been sent, oldest first. */
  seen(chat: number): BotMessage[];
  /** Broadcaster rounds until a round hands nothing over and nothing is in flight (what waits for quiet hours or its time stays). */
  settle(): Promise<void>;
  /** The queues have nothing waiting, running or delayed (timers aside). */
  idle(): Promise<void>;
  close(): Promise<void>;
}

export interface WorldOptions {
  start: Date;
  quiet?: QuietWindow | null;
  pace?: Partial<Record<"telegram", BulkPace>>;
  log?: Log;
}

/** A world on `db` (the demo territories are seeded here). */
export async function openWorld(db: Pick<TestDatabase, "prisma" | "sql">, o: WorldOptions): Promise<World> {
  await seedDemo(db.prisma);
  const clock = new Clock(o.start.getTime());
  const engine = testContext();
  const ctx: EngineContext = { ...engine, newId: randomUUID, now: () => new Date() };
  const vault = new IdentityVault({ hashKey: Buffer.from(generateKey(), "base64"), encryptionKey: Buffer.from(generateKey(), "base64") });
  const reminders = { reminderAfterSeconds: 3600, entryFlow: ctx.entryFlow, now: () => new Date(), flows: ctx.flows };
  const conversations = new Conversations(ctx, new DatabaseConversationStore(db.sql, vault), outboxPlanner(reminders), eventsForStart(db.prisma, undefined, ctx.languages));
  const broker = new MemoryBroker();
  const log = o.log ?? silentLog;
  const pipeline = new Pipeline({ broker, sql: db.sql, vault, conversations, rules: engine.texts, channels: ["telegram"], shards: 4, reminders, log, durable: false });
  const api = await FakeBotApi.start();
  const channel = new TelegramChannel({ token: BOT_TOKEN, botInfo: BOT_INFO, texts: engine.texts, apiRoot: api.url, pollTimeoutSeconds: 1, retry: { initialMs: 5, maxMs: 20 }, log });
  await pipeline.declare();
  await pipeline.work({ inbound: true, ingest: true, timers: false, outbound: new Map([["telegram", channel]]), concurrency: 8 });
  await channel.start((inbound) => pipeline.accept(inbound));
  const broadcaster = new Broadcaster({
    sql: db.sql,
    broker,
    channels: ["telegram"],
    shards: 4,
    quiet: o.quiet ?? null,
    defaultZone: "Europe/Rome",
    queuesLostAtStart: false,
    now: clock.now,
    log,
    sweepEveryMs: 0,
    remindersEveryMs: 0,
    ...(o.pace ? { pace: o.pace } : {}),
  });

  const idle = async () => {
    await api.settled();
    const deadline = Date.now() + 30_000;
    for (;;) {
      const names = await broker.queues();
      const counts = await Promise.all(names.map((q) => broker.counts(q)));
      // Timers (reminders of a survey left half-way, hours ahead) are not run here.
      if (counts.every((c, i) => names[i] === "timers" || c.waiting + c.active + c.delayed === 0)) {
        await api.settled();
        return;
      }
      if (Date.now() > deadline) throw new Error(`queues not idle: ${JSON.stringify(Object.fromEntries(names.map((q, i) => [q, counts[i]])))}`);
      await new Promise((r) => setTimeout(r, 10));
    }
  };
  const inFlight = async () => Number((await db.sql.query<{ n: string }>("SELECT count(*) AS n FROM deliveries WHERE status IN ('queued', 'started', 'sending')")).rows[0]?.n);
  const push = async (update: Parameters<FakeBotApi["push"]>[0]) => {
    api.push(update);
    await api.settled();
    await idle();
  };
  const tap = (chat: number, which: { data: string } | { label: string }) =>
    push(api.tapUpdate(chat, (b: InlineKeyboardButton) => ("data" in which ? "callback_data" in b && b.callback_data === which.data : b.text === which.label)));
  return {
    api,
    broker,
    broadcaster,
    clock,
    broadcasts: { sql: db.sql, languages: ctx.languages, flows: ["main", "needs", "feedback", "rsvp", "onboarding"], timeZone: "Europe/Rome", now: clock.now },
    meetings: { prisma: db.prisma, languages: ctx.languages, now: clock.now },
    async newcomer(chat, language, territory = "valsusa") {
      await push(api.textUpdate(chat, `/start t-${territory}`));
      await tap(chat, { data: `c:language:${language}` });
      await tap(chat, { data: "c:consent:yes" });
      await tap(chat, { data: "c:contact_pref:yes" });
    },
    tap,
    say: (chat, text) => push(api.textUpdate(chat, text)),
    seen: (chat) => api.messages(chat),
    async settle() {
      for (let i = 0; i < 200; i++) {
        const { released } = await broadcaster.round();
        await idle();
        if (released === 0 && (await inFlight()) === 0) {
          // A last round settles what just ended.
          await broadcaster.round();
          return;
        }
      }
      throw new Error("broadcasts still sending after 200 rounds");
    },
    idle,
    async close() {
      await channel.stop();
      await pipeline.close();
      await broker.close();
      await api.close();
    },
  };
}
