// The real pipeline as a channel's host, for channel tests that need the product behind the channel:
// Pipeline.accept (queue job ids, shards), the inbound worker (the turn in one statement on a real
// PostgreSQL, the receipt of each delivery), the outbound worker sending through the channel under
// test, on the in-memory broker. Each host has identity keys of its own, so a person met by an earlier
// host in the same database is a new person here.
import { randomUUID } from "node:crypto";
import type { ChannelSender, Inbound, InboundHandler } from "../../src/channel/contract.ts";
import { Conversations } from "../../src/conversation/conversations.ts";
import { generateKey, IdentityVault } from "../../src/db/index.ts";
import type { EngineContext } from "../../src/engine/index.ts";
import type { Texts } from "../../src/i18n/texts.ts";
import { outboxPlanner } from "../../src/effects/registry.ts";
import { Pipeline } from "../../src/pipeline/pipeline.ts";
import { MemoryBroker } from "../../src/queue/index.ts";
import { eventsForStart } from "../../src/repos/events-for-start.ts";
import { DatabaseConversationStore } from "../../src/repos/conversations.ts";
import type { TestDatabase } from "./db.ts";
import { silentLog } from "../../src/log/log.ts";

export interface PipelineHost {
  /** Give this to `channel.start`: Pipeline.accept. */
  onInbound: InboundHandler;
  /** Every inbound the channel handed over, duplicates included. */
  received: Inbound[];
  /** Sends that failed, with the error the channel threw (the outbound worker then does what it does). */
  failures: Array<{ address: string; error: unknown }>;
  /** Waits until no job waits, runs or is delayed (timers, set hours ahead, aside). */
  idle(timeoutMs?: number): Promise<void>;
  /** The person's contact as stored, with their answers (oldest first); null before their first message. */
  person(address: string): Promise<{ territoryId: string | null; contactPreference: string; answers: Array<{ flowId: string; resultName: string; valueChoices: string[]; valueText: string | null }> } | null>;
  close(): Promise<void>;
}

/**
 * A pipeline on `db` (seeded with the demo territories by the caller) whose outbound worker sends
 * through `channel`, over the given engine (its ids and clock are replaced by real ones: run ids must
 * be unique in the database).
 */
export async function pipelineHost(db: TestDatabase, engine: EngineContext & { texts: Texts }, channel: ChannelSender): Promise<PipelineHost> {
  const vault = new IdentityVault({ hashKey: Buffer.from(generateKey(), "base64"), encryptionKey: Buffer.from(generateKey(), "base64") });
  const ctx: EngineContext = { ...engine, newId: randomUUID, now: () => new Date() };
  const reminders = { reminderAfterSeconds: 3600, entryFlow: ctx.entryFlow, now: () => new Date(), flows: ctx.flows };
  const conversations = new Conversations(ctx, new DatabaseConversationStore(db.sql, vault), outboxPlanner(reminders), eventsForStart(db.prisma));
  const broker = new MemoryBroker();
  const pipeline = new Pipeline({ broker, sql: db.sql, vault, conversations, rules: engine.texts, channels: [channel.channel], shards: 4, reminders, log: silentLog });
  const failures: PipelineHost["failures"] = [];
  const sender: ChannelSender = {
    channel: channel.channel,
    async send(address, message) {
      try {
        return await channel.send(address, message);
      } catch (error) {
        failures.push({ address, error });
        throw error;
      }
    },
  };
  await pipeline.declare();
  await pipeline.work({ inbound: true, ingest: true, timers: true, outbound: new Map([[channel.channel, sender]]), concurrency: 4 });
  const received: Inbound[] = [];
  return {
    received,
    failures,
    onInbound: async (inbound) => {
      received.push(inbound);
      await pipeline.accept(inbound);
    },
    async idle(timeoutMs = 30_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const names = await broker.queues();
        const counts = await Promise.all(names.map((q) => broker.counts(q)));
        if (counts.every((c, i) => c.waiting + c.active + (names[i] === "timers" ? 0 : c.delayed) === 0)) return;
        if (Date.now() > deadline) throw new Error(`pipeline not idle: ${JSON.stringify(Object.fromEntries(names.map((q, i) => [q, counts[i]])))}`);
        await new Promise((r) => setTimeout(r, 10));
      }
    },
    async person(address) {
      const identity = await db.prisma.channelIdentity.findUnique({
        where: { channel_addressHash: { channel: channel.channel, addressHash: vault.hashAddress(channel.channel, address) } },
        include: { contact: { include: { answers: { orderBy: { answeredAt: "asc" } } } } },
      });
      if (!identity) return null;
      const c = identity.contact;
      return { territoryId: c.territoryId, contactPreference: c.contactPreference, answers: c.answers };
    },
    async close() {
      await pipeline.close();
      await broker.close();
    },
  };
}
