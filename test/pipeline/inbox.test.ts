// The in-process queues' durable part, on a real PostgreSQL: the inbox of accepted messages (what it
// holds, and that it holds it no longer than needed), the outbox marks, and the relay at start.
// (In real processes, killed mid-burst on the embedded database: durable.test.ts.)
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Inbound } from "../../src/channel/contract.ts";
import { Conversations } from "../../src/conversation/conversations.ts";
import { generateKey, IdentityVault } from "../../src/db/index.ts";
import { plainText } from "../../src/messages/plain-text.ts";
import { Pipeline } from "../../src/pipeline/pipeline.ts";
import { QUEUES, shardOf } from "../../src/pipeline/queues.ts";
import { outboxPlanner } from "../../src/effects/registry.ts";
import { MemoryBroker } from "../../src/queue/index.ts";
import { DatabaseConversationStore } from "../../src/repos/conversations.ts";
import { eraseContact } from "../../src/repos/erase.ts";
import { eventsForStart } from "../../src/repos/events-for-start.ts";
import { seedDemo } from "../../src/repos/seed.ts";
import { testContext } from "../support/engine.ts";
import { createTestDatabase, type TestDatabase } from "../support/db.ts";
import { waitUntil } from "./faults/support.ts";
import { RecordingChannel } from "./harness.ts";
import { silentLog } from "../../src/log/log.ts";

let db: TestDatabase;
const vault = new IdentityVault({ hashKey: Buffer.from(generateKey(), "base64"), encryptionKey: Buffer.from(generateKey(), "base64") });
const ctx = testContext({ languages: ["en", "it", "ar"], newId: randomUUID });
const reminders = { reminderAfterSeconds: 3600, entryFlow: "main", now: () => new Date(), flows: ctx.flows };
const channel = new RecordingChannel("telegram", (m) => plainText(m, ctx.texts));

beforeAll(async () => {
  db = await createTestDatabase();
  await seedDemo(db.prisma);
});
afterAll(async () => db?.drop());

/** A process's pipeline on the in-memory broker (what `inloco start` runs without REDIS_URL); workers only if asked. */
async function process_(o: { work: boolean; recentJobs?: number }) {
  const broker = new MemoryBroker();
  const conversations = new Conversations(ctx, new DatabaseConversationStore(db.sql, vault), outboxPlanner(reminders), eventsForStart(db.prisma));
  const pipeline = new Pipeline({ broker, sql: db.sql, vault, conversations, rules: ctx.texts, channels: ["telegram"], shards: 4, reminders, log: silentLog, ...(o.recentJobs ? { recentJobs: o.recentJobs } : {}) });
  await pipeline.declare();
  const start = () => pipeline.work({ inbound: true, ingest: true, timers: true, outbound: new Map([["telegram", channel]]), concurrency: 4 });
  if (o.work) await start();
  const say = async (address: string, text: string) => {
    const inbound: Inbound = {
      channel: "telegram",
      address,
      messageId: `${address}-${randomUUID()}`,
      input: text === "/start" ? { type: "start", params: {} } : { type: "text", text },
      at: new Date().toISOString(),
    };
    await pipeline.accept(inbound);
  };
  const idle = () =>
    waitUntil(async () => {
      const counts = await Promise.all((await broker.queues()).filter((q) => q !== "timers").map((q) => broker.counts(q)));
      return counts.every((c) => c.waiting + c.active + c.delayed === 0);
    }, "the queues to drain");
  return { broker, pipeline, say, idle, start, stop: async () => (await pipeline.close(), await broker.close()) };
}

const chat = () => String(100_000_000 + Math.floor(Math.random() * 800_000_000));
const inboxOf = async (address: string) =>
  (await db.sql.query<{ payload: Record<string, unknown> }>("SELECT payload FROM inbox WHERE address_hash = $1", [vault.hashAddress("telegram", address)])).rows;
async function inboxCount(): Promise<number> {
  return Number((await db.sql.query<{ n: string }>("SELECT count(*) AS n FROM inbox")).rows[0]?.n);
}

describe("the inbox of the in-process queues", () => {
  it("holds an accepted message (address sealed, keyed by its hash) until its turn is stored, then nothing", async () => {
    const p = await process_({ work: false });
    try {
      const address = chat();
      await p.say(address, "/start");
      // Accepted means written: before any worker ran.
      const rows = await inboxOf(address);
      expect(rows).toHaveLength(1);
      expect(JSON.stringify(rows[0]?.payload)).not.toContain(address);
      expect(vault.decrypt(Buffer.from(String(rows[0]?.payload.sealedAddress), "base64"))).toBe(address);
      await p.start();
      await p.idle();
      expect(await inboxOf(address)).toHaveLength(0);
      expect(channel.to(address)).toHaveLength(1);
      // The turn's outbox items are marked done once their jobs are.
      await waitUntil(async () => (await db.prisma.outboxItem.count({ where: { contactId: await contactId(address), doneAt: null, kind: { not: "timer" } } })) === 0, "the outbox marked done");
    } finally {
      await p.stop();
    }
  });

  it("forgets a message that changes nothing (after STOP), and does not keep a redelivery of one already stored", async () => {
    const p = await process_({ work: true });
    try {
      const address = chat();
      const first: Inbound = { channel: "telegram", address, messageId: `first-${address}`, input: { type: "start", params: {} }, at: new Date().toISOString() };
      await p.pipeline.accept(first);
      await p.idle();
      for (const text of ["1", "stop", "hello?"]) {
        await p.say(address, text);
        await p.idle();
      }
      expect(await inboxOf(address)).toHaveLength(0);
      // The first message delivered again, days later, to a process whose queues never saw its id: not kept again.
      const fresh = await process_({ work: false });
      await fresh.pipeline.accept(first);
      expect(await inboxOf(address)).toHaveLength(0);
      await fresh.stop();
    } finally {
      await p.stop();
    }
  });

  it("a message delivered again after the queues forgot its id sends nothing again (the database remembers)", async () => {
    const p = await process_({ work: true, recentJobs: 3 });
    try {
      const address = chat();
      const first: Inbound = { channel: "telegram", address, messageId: `again-${address}`, input: { type: "start", params: {} }, at: new Date().toISOString() };
      await p.pipeline.accept(first);
      await p.idle();
      expect(channel.to(address)).toHaveLength(1);
      const id = await contactId(address);
      await waitUntil(async () => (await db.prisma.outboxItem.count({ where: { contactId: id, doneAt: null, kind: { not: "timer" } } })) === 0, "the outbox marked done");
      // The conversation goes on until the queues (keeping their latest 3 completed jobs here) forget the first's ids.
      for (const text of ["1", "yes", "help", "help"]) {
        await p.say(address, text);
        await p.idle();
      }
      const shard = QUEUES.inbound(shardOf(vault.hashAddress("telegram", address), 4));
      expect((await p.broker.counts(shard)).completed).toBe(3);
      expect(channel.to(address).length).toBeGreaterThan(4);
      const before = channel.to(address).length;
      await p.pipeline.accept(first);
      await p.idle();
      expect(channel.to(address)).toHaveLength(before);
    } finally {
      await p.stop();
    }
  });

  /** A person who consented through `p`, with a message accepted by `elsewhere`, a process that stopped before handling it: only the inbox has it. */
  async function withPendingMessage(p: Awaited<ReturnType<typeof process_>>, elsewhere: Awaited<ReturnType<typeof process_>>): Promise<string> {
    const address = chat();
    for (const text of ["/start", "1", "yes"]) {
      await p.say(address, text);
      await p.idle();
    }
    await elsewhere.say(address, "my name is Ahmed, call me on 333 1234567");
    expect(await inboxOf(address)).toHaveLength(1);
    return address;
  }

  it("an erasure takes the person's pending messages with it", async () => {
    const p = await process_({ work: true });
    const elsewhere = await process_({ work: false });
    try {
      const address = await withPendingMessage(p, elsewhere);
      await p.say(address, "delete");
      await p.idle();
      await p.say(address, "yes");
      await p.idle();
      expect(channel.to(address).at(-1)).toMatch(/deleted/i);
      expect(await inboxOf(address)).toHaveLength(0);
    } finally {
      await elsewhere.stop();
      await p.stop();
    }
  });
  it("a coordinator's erasure (inloco contact erase) takes them too, in its transaction", async () => {
    const p = await process_({ work: true });
    const elsewhere = await process_({ work: false });
    try {
      const address = await withPendingMessage(p, elsewhere);
      const { rows } = await db.sql.query<{ contact_id: string }>("SELECT contact_id FROM channel_identities WHERE address_hash = $1", [vault.hashAddress("telegram", address)]);
      const erased = await db.sql.transaction((tx) => eraseContact(tx, rows[0]!.contact_id, "coordinator"));
      expect(erased?.identities).toBe(1);
      expect(await inboxOf(address)).toHaveLength(0);
    } finally {
      await elsewhere.stop();
      await p.stop();
    }
  });
});

describe("the relay at start", () => {
  it("queues again the accepted messages and undone replies a stopped process left, in order, once", async () => {
    expect(await inboxCount()).toBe(0);
    // A process accepts three people's messages and stops before handling any.
    const first = await process_({ work: false });
    const people = [chat(), chat(), chat()];
    for (const a of people) await first.say(a, "/start");
    await first.stop();
    // A person whose turn was stored but whose reply was never sent (the process died right after the commit).
    const worked = await process_({ work: true });
    const late = chat();
    await worked.say(late, "/start");
    await worked.idle();
    await worked.stop();
    const lateContact = await contactId(late);
    await db.sql.query("UPDATE outbox SET done_at = NULL WHERE contact_id = $1 AND kind = 'outbound'", [lateContact]);

    const next = await process_({ work: false });
    try {
      const relayed = await next.pipeline.relay();
      expect(relayed).toMatchObject({ messages: 3, outbox: 1 });
      await next.start();
      await next.idle();
      for (const a of people) expect(channel.to(a), a).toHaveLength(1);
      // Sent again: the relay can't tell a reply sent the moment before a crash from one never sent.
      expect(channel.to(late)).toHaveLength(2);
      expect(await inboxCount()).toBe(0);
      expect(await next.pipeline.relay()).toEqual({ messages: 0, outbox: 0, timers: expect.any(Number) });
    } finally {
      await next.stop();
    }
  });

  it("does nothing with Redis (the queues are durable there)", async () => {
    const broker = new MemoryBroker();
    const conversations = new Conversations(ctx, new DatabaseConversationStore(db.sql, vault), outboxPlanner(reminders), eventsForStart(db.prisma));
    const pipeline = new Pipeline({ broker, sql: db.sql, vault, conversations, rules: ctx.texts, channels: ["telegram"], shards: 4, durable: false, log: silentLog });
    expect(await pipeline.relay()).toBeUndefined();
    await broker.close();
  });
});

async function contactId(address: string): Promise<string> {
  const identity = await db.prisma.channelIdentity.findUniqueOrThrow({
    where: { channel_addressHash: { channel: "telegram", addressHash: vault.hashAddress("telegram", address) } },
  });
  return identity.contactId;
}
