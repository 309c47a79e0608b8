// A pipeline on a real PostgreSQL and a chosen broker, with a recording channel at the channel
// contract (the platforms themselves are faked at their HTTP boundary in test/bots).
import { randomUUID } from "node:crypto";
import { PermanentSendError, RateLimitedError, RecipientGoneError, type ChannelName, type ChannelSender, type Inbound } from "../../src/channel/contract.ts";
import { Conversations } from "../../src/conversation/conversations.ts";
import { generateKey, IdentityVault } from "../../src/db/index.ts";
import type { Input, Message } from "../../src/engine/index.ts";
import { plainText } from "../../src/messages/plain-text.ts";
import { outboxPlanner } from "../../src/effects/registry.ts";
import { eventsForStart } from "../../src/repos/events-for-start.ts";
import { myDataReplies } from "../../src/rights/my-data.ts";
import { Pipeline } from "../../src/pipeline/pipeline.ts";
import type { Broker } from "../../src/queue/index.ts";
import { DatabaseConversationStore } from "../../src/repos/conversations.ts";
import type { TestDatabase } from "../support/db.ts";
import { testContext } from "../support/engine.ts";
import { silentLog } from "../../src/log/log.ts";

/** A channel that records what it sends, and can be told to fail for an address. */
export class RecordingChannel implements ChannelSender {
  readonly sent: Array<{ address: string; text: string; message: Message }> = [];
  readonly failures = new Map<string, Array<"429" | "403" | "400" | "network">>();
  constructor(
    readonly channel: ChannelName,
    private readonly render: (m: Message) => string,
  ) {}

  async send(address: string, message: Message): Promise<{ providerMessageId: string }> {
    const next = this.failures.get(address)?.shift();
    if (next === "429") throw new RateLimitedError(this.channel, 1);
    if (next === "403") throw new RecipientGoneError(this.channel, "Forbidden: bot was blocked by the user");
    if (next === "400") throw new PermanentSendError(this.channel, "Bad Request: message text is empty");
    if (next === "network") throw new Error("socket hang up");
    this.sent.push({ address, text: this.render(message), message });
    return { providerMessageId: String(this.sent.length) };
  }

  to(address: string): string[] {
    return this.sent.filter((s) => s.address === address).map((s) => s.text);
  }
}

export interface Harness {
  pipeline: Pipeline;
  channel: RecordingChannel;
  vault: IdentityVault;
  broker: Broker;
  /** Hand a message in as the channel would; returns its provider id. */
  say(address: string, input: string | Input, messageId?: string): Promise<string>;
  /** Wait until no job is waiting, running or delayed (timers not counted). */
  idle(timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

/** Build a pipeline with every worker role on the given broker and test database. */
export async function pipelineHarness(
  db: TestDatabase,
  broker: Broker,
  options: { reminderAfterSeconds?: number; shards?: number; keys?: { hashKey: string; encryptionKey: string } } = {},
): Promise<Harness> {
  const keys = options.keys ?? { hashKey: generateKey(), encryptionKey: generateKey() };
  const vault = new IdentityVault({ hashKey: Buffer.from(keys.hashKey, "base64"), encryptionKey: Buffer.from(keys.encryptionKey, "base64") });
  const ctx = testContext({ languages: ["en", "it", "ar"], newId: randomUUID });
  const reminders = { reminderAfterSeconds: options.reminderAfterSeconds ?? 3600, entryFlow: "main", now: () => new Date(), flows: ctx.flows };
  const conversations = new Conversations(ctx, new DatabaseConversationStore(db.sql, vault), outboxPlanner(reminders), eventsForStart(db.prisma), myDataReplies(db.sql, ctx.texts, ctx.flows));
  const channel = new RecordingChannel("telegram", (m) => plainText(m, ctx.texts));
  const shards = options.shards ?? 4;
  const pipeline = new Pipeline({ broker, sql: db.sql, vault, conversations, rules: ctx.texts, channels: ["telegram"], shards, reminders, log: silentLog });
  await pipeline.declare();
  await pipeline.work({ inbound: true, ingest: true, timers: true, outbound: new Map([["telegram", channel]]), concurrency: 4 });
  let n = 0;
  const queues = await broker.queues();
  return {
    pipeline,
    channel,
    vault,
    broker,
    async say(address, input, messageId) {
      const id = messageId ?? `${address}-${++n}-${randomUUID()}`;
      const inbound: Inbound = {
        channel: "telegram",
        address,
        messageId: id,
        input: typeof input === "string" ? (input === "/start" ? { type: "start", params: {} } : { type: "text", text: input }) : input,
        at: new Date().toISOString(),
      };
      await pipeline.accept(inbound);
      return id;
    },
    async idle(timeoutMs = 20_000) {
      const names = [...new Set([...queues, ...(await broker.queues())])];
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const counts = await Promise.all(names.map((q) => broker.counts(q)));
        // Delayed jobs count too (a 429's wait), except timers, which may be set far ahead.
        if (counts.every((c, i) => c.waiting + c.active + (names[i] === "timers" ? 0 : c.delayed) === 0)) return;
        if (Date.now() > deadline) throw new Error(`pipeline not idle: ${JSON.stringify(Object.fromEntries(names.map((q, i) => [q, counts[i]])))}`);
        await new Promise((r) => setTimeout(r, 20));
      }
    },
    async close() {
      await pipeline.close();
      await broker.close();
    },
  };
}
