// Erasure as a careful auditor checks it, on a real PostgreSQL and a real Redis, through the real
// pipeline with BullMQ: a person goes through onboarding, leaves feedback, answers the needs survey with
// free text, has a reply that failed for good and a voice note refused in the queues, a reminder timer
// pending; then DELETE (or `inloco contact erase`). Afterwards every key and value in Redis and every
// row of every table (all columns as text) is read: no trace of what they typed, their chat id, their
// sealed address or its keyed hash, and their contact id only in the audit record of the erasure.
import { execFile } from "node:child_process";
import { randomUUID } from "node:crypto";
import { join } from "node:path";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PROJECT_ROOT } from "../../src/app/runtime.ts";
import { generateKey } from "../../src/db/index.ts";
import { QUEUES, queueSettings } from "../../src/pipeline/queues.ts";
import { BullmqBroker, MemoryBroker, type Broker } from "../../src/queue/index.ts";
import { seedDemo } from "../../src/repos/seed.ts";
import { deleteKeys, testPrefix, waitFor } from "../queue/helpers.ts";
import { createTestDatabase, testRedisUrl, type TestDatabase } from "../support/db.ts";
import { pipelineHarness, type Harness } from "./harness.ts";

let db: TestDatabase;
let h: Harness;
const keys = { hashKey: generateKey(), encryptionKey: generateKey() };
const prefix = testPrefix();

beforeAll(async () => {
  db = await createTestDatabase();
  await seedDemo(db.prisma);
  h = await pipelineHarness(db, new BullmqBroker({ url: testRedisUrl(), prefix, onError: () => undefined }), { keys });
}, 60_000);
afterAll(async () => {
  await h?.close();
  await deleteKeys(testRedisUrl(), prefix);
  await db?.drop();
});

const chat = () => String(100_000_000 + Math.floor(Math.random() * 800_000_000));

interface Markers {
  needs: string;
  feedback: string;
}

/** Replies get one try (a refused message is skipped, so only a failure every try meets fails a job for good). */
async function oneTry(broker: Broker): Promise<() => Promise<void>> {
  const settings = queueSettings({ shards: 1, channels: ["telegram"] }).find(([q]) => q === QUEUES.outbound("telegram"))![1];
  await broker.declare(QUEUES.outbound("telegram"), { ...settings, attempts: 1 });
  return () => broker.declare(QUEUES.outbound("telegram"), settings);
}

/** Onboarding, feedback, half the needs survey with free text, a reply that fails for good, a refused voice note. */
async function converse(a: string, m: Markers): Promise<string> {
  const step = async (text: string) => {
    await h.say(a, text);
    await h.idle();
  };
  for (const text of ["/start", "1", "yes", "2", "yes"]) await step(text); // language, consent, territory…
  for (const text of ["2", "1", `The office lost my papers ${m.feedback}`, "skip", "yes"]) await step(text);
  await step("1"); // the needs survey
  // The answer to the next message fails for good: the network is down for as long as the (here, one) try lasts.
  const restore = await oneTry(h.broker);
  h.channel.failures.set(a, ["network"]);
  await step(`My name is Amira Haddad ${m.needs}, call me on +39 333 123 4567`);
  await restore();
  await step("2");
  // A voice note whose reference is far longer than any real one: the inbound job refuses it, and fails.
  await h.say(a, { type: "media", media: "voice", ref: `${m.needs}-`.padEnd(100_000, "x") });
  await h.idle();
  const identity = await db.prisma.channelIdentity.findUniqueOrThrow({
    where: { channel_addressHash: { channel: "telegram", addressHash: h.vault.hashAddress("telegram", a) } },
  });
  return identity.contactId;
}

/** Every key of the whole Redis and every value, whatever its type, as text. */
async function redisDump(): Promise<string[]> {
  const redis = new Redis(testRedisUrl(), { maxRetriesPerRequest: 3 });
  const out: string[] = [];
  try {
    let cursor = "0";
    do {
      const [next, found] = await redis.scan(cursor, "COUNT", 1000);
      cursor = next;
      for (const key of found) {
        out.push(key);
        const type = await redis.type(key);
        if (type === "string") out.push((await redis.get(key)) ?? "");
        else if (type === "hash") out.push(...Object.entries(await redis.hgetall(key)).flat());
        else if (type === "list") out.push(...(await redis.lrange(key, 0, -1)));
        else if (type === "set") out.push(...(await redis.smembers(key)));
        else if (type === "zset") out.push(...(await redis.zrange(key, 0, -1, "WITHSCORES")));
        else if (type === "stream") out.push(...(await redis.xrange(key, "-", "+")).flatMap(([id, fields]) => [id, ...fields]));
        else if (type !== "none") throw new Error(`key ${key} of type ${type} not read`);
      }
    } while (cursor !== "0");
  } finally {
    redis.disconnect();
  }
  return out;
}

/** Every row of every table of the database, all columns cast to text. */
async function databaseDump(): Promise<Array<{ table: string; row: string }>> {
  const { rows: tables } = await db.sql.query<{ name: string }>(
    "SELECT quote_ident(table_name) AS name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE'",
  );
  expect(tables.map((t) => t.name)).toEqual(expect.arrayContaining(["contacts", "feedback", "outbox", "processed_messages", "ingest_receipts", "audit_log", "territory_stats"]));
  const out: Array<{ table: string; row: string }> = [];
  for (const { name } of tables) {
    const { rows } = await db.sql.query<{ row: string }>(`SELECT t::text AS row FROM ${name} t`);
    out.push(...rows.map((r) => ({ table: name, row: r.row })));
  }
  return out;
}

/** Whether a text holds an address sealed with our key that opens to `address`. */
function holdsSealed(text: string, address: string): boolean {
  for (const token of text.match(/[A-Za-z0-9+/]{40,}={0,2}/g) ?? []) {
    try {
      if (h.vault.decrypt(Buffer.from(token, "base64")) === address) return true;
    } catch {
      // not sealed with our key
    }
  }
  return false;
}

function tracesIn(texts: string[], traces: string[]): string[] {
  return texts.filter((t) => traces.some((x) => t.includes(x)));
}

async function audit(a: string, contactId: string, m: Markers): Promise<void> {
  const redis = await redisDump();
  const tables = await databaseDump();
  const rows = tables.map((t) => t.row);
  const traces = [m.needs, m.feedback, a, h.vault.hashAddress("telegram", a)];
  expect(tracesIn(redis, traces)).toEqual([]);
  expect(tracesIn(rows, traces)).toEqual([]);
  expect(redis.filter((t) => holdsSealed(t, a))).toEqual([]);
  expect(rows.filter((t) => holdsSealed(t, a))).toEqual([]);
  expect(tracesIn(redis, [contactId])).toEqual([]);
  const withId = tables.filter((t) => t.row.includes(contactId));
  expect(withId.map((t) => t.table)).toEqual(["audit_log"]);
  const record = await db.prisma.auditLog.findFirstOrThrow({ where: { subject: contactId } });
  expect(record.action).toBe("erase");
  expect(JSON.stringify(record.details)).not.toContain(contactId);

  // The feedback stays for the task force, without text, and its ids lead nowhere.
  const kept = await db.sql.query<{ id: string; source_event_id: string; text: string | null; contact_id: string | null }>(
    "SELECT id, source_event_id, text, contact_id FROM feedback WHERE id = ANY($1::uuid[])",
    [feedbackIds.get(contactId) ?? []],
  );
  expect(kept.rows).toHaveLength(1);
  const feedback = kept.rows[0]!;
  expect(feedback).toMatchObject({ text: null, contact_id: null });
  expect(feedback.source_event_id).toMatch(/^erased-[0-9a-f-]{36}$/);
  for (const id of [feedback.id, feedback.source_event_id]) {
    expect(tables.filter((t) => t.row.includes(id)).map((t) => t.table)).toEqual(["feedback"]);
    expect(tracesIn(redis, [id])).toEqual([]);
  }
}

const feedbackIds = new Map<string, string[]>();

/** Before the erasure: the person's data is there, where the auditor looks (the dump reads it). */
async function expectTraces(a: string, contactId: string, m: Markers): Promise<void> {
  const feedback = await db.prisma.feedback.findMany({ where: { contactId } });
  expect(feedback.map((f) => f.text)).toEqual([expect.stringContaining(m.feedback)]);
  feedbackIds.set(contactId, feedback.map((f) => f.id));
  const redis = await redisDump();
  expect(tracesIn(redis, [m.needs]).length).toBeGreaterThan(0); // the refused voice note, failed
  expect(tracesIn(redis, [contactId]).length).toBeGreaterThan(0); // the failed reply, the reminder timer
  const failed = await Promise.all((await h.broker.queues()).map((q) => h.broker.failed(q)));
  const theirs = failed.flat().filter((j) => JSON.stringify(j.data).includes(contactId) || JSON.stringify(j.data).includes(m.needs));
  expect(theirs.map((j) => j.queue.replace(/\d+$/, "N")).sort()).toEqual(["inbound.N", "outbound.telegram"]);
  expect((await h.broker.counts("timers")).delayed).toBeGreaterThan(0);
}

describe("erasure leaves nothing anywhere", () => {
  it("after DELETE: no trace in Redis or any table, the contact id only in the audit record", async () => {
    const a = chat();
    const m = { needs: `NEEDS-${randomUUID()}`, feedback: `FEEDBACK-${randomUUID()}` };
    const contactId = await converse(a, m);
    await expectTraces(a, contactId, m);

    for (const text of ["delete", "1"]) {
      await h.say(a, text);
      await h.idle();
    }
    expect(h.channel.to(a).at(-1)).toMatch(/^Your data has been deleted/);
    await audit(a, contactId, m);
  }, 120_000);

  it("after inloco contact erase: the same", async () => {
    const a = chat();
    const m = { needs: `NEEDS-${randomUUID()}`, feedback: `FEEDBACK-${randomUUID()}` };
    const contactId = await converse(a, m);
    await expectTraces(a, contactId, m);

    const env = {
      ...process.env,
      DATABASE_URL: db.url,
      REDIS_URL: testRedisUrl(),
      INLOCO_QUEUE_PREFIX: prefix,
      INLOCO_HASH_KEY: keys.hashKey,
      INLOCO_ENCRYPTION_KEY: keys.encryptionKey,
    };
    const out = await new Promise<string>((resolve, reject) =>
      execFile(process.execPath, [join(PROJECT_ROOT, "src", "cli", "inloco.js"), "contact", "erase", contactId, "--actor", "test"], { env, timeout: 90_000 }, (error, stdout, stderr) =>
        error ? reject(new Error(`${error.message}\n${stderr}`)) : resolve(stdout),
      ),
    );
    expect(out).toMatch(/erased contact .*: \d+ answers, 1 channel identities; 1 feedback kept without text/);
    expect(out).toMatch(/removed [1-9]\d* of its jobs from the queues/);
    await waitFor(async () => (await h.broker.counts("timers")).delayed === 0, "the timer purged", { timeoutMs: 10_000 });
    await audit(a, contactId, m);
  }, 120_000);
});

describe("erasure on the in-memory broker", () => {
  it("after DELETE, no job of theirs is left in the queues, in any state", async () => {
    const memory = await pipelineHarness(db, new MemoryBroker(), { keys });
    try {
      const a = chat();
      const m = { needs: `NEEDS-${randomUUID()}`, feedback: `FEEDBACK-${randomUUID()}` };
      const say = async (text: string) => {
        await memory.say(a, text);
        await memory.idle();
      };
      for (const text of ["/start", "1", "yes", "2", "yes", "2", "1", `papers ${m.feedback}`, "skip", "yes", "1"]) await say(text);
      await oneTry(memory.broker); // this harness ends with the test
      memory.channel.failures.set(a, ["network"]);
      await say(`My name is Amira ${m.needs}`);
      await memory.say(a, { type: "media", media: "voice", ref: `${m.needs}-`.padEnd(1000, "x") });
      await memory.idle();
      const identity = await db.prisma.channelIdentity.findUniqueOrThrow({
        where: { channel_addressHash: { channel: "telegram", addressHash: memory.vault.hashAddress("telegram", a) } },
      });
      // Every job the broker holds, as text (purge shows each to its matcher; none is taken).
      const jobs = async () => {
        const all: string[] = [];
        await memory.broker.purge(
          () => true,
          (job) => {
            all.push(`${job.queue} ${job.id} ${JSON.stringify(job.data)}`);
            return false;
          },
        );
        return all;
      };
      const before = await jobs();
      expect(tracesIn(before, [identity.contactId]).length).toBeGreaterThan(0);
      expect(tracesIn(before, [m.needs]).length).toBeGreaterThan(0);
      for (const text of ["delete", "1"]) await say(text);
      expect(memory.channel.to(a).at(-1)).toMatch(/^Your data has been deleted/);
      const after = await jobs();
      expect(tracesIn(after, [identity.contactId, m.needs, m.feedback, a])).toEqual([]);
      expect(after.filter((t) => holdsSealed(t, a))).toEqual([]);
    } finally {
      await memory.close();
    }
  }, 120_000);
});
