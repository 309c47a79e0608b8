// The broadcaster on its own. WhatsApp Web is one phone, and numbers that send in bulk get banned: a broadcast there goes one copy
// at a time, a gap (varied) between two. Telegram's copies go a couple of seconds' worth at a time.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { confirmBroadcast, createBroadcast } from "../../src/broadcasts/index.ts";
import { silentLog } from "../../src/log/log.ts";
import { logInto } from "../support/log.ts";
import { Broadcaster } from "../../src/pipeline/broadcaster.ts";
import { declareQueues, QUEUES } from "../../src/pipeline/queues.ts";
import { MemoryBroker } from "../../src/queue/index.ts";
import { seedDemo } from "../../src/repos/seed.ts";
import { createTestDatabase, type TestDatabase } from "../support/db.ts";

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase();
  await seedDemo(db.prisma);
  // Five consented people on WhatsApp, five on Telegram.
  for (let i = 0; i < 10; i++) {
    await db.sql.query(
      `WITH c AS (INSERT INTO contacts (id, language, territory_id, consent_version, consent_at) VALUES (gen_random_uuid(), 'en', 'torino', '2026-11', now()) RETURNING id)
       INSERT INTO channel_identities (id, contact_id, channel, address_hash, address_encrypted) SELECT gen_random_uuid(), c.id, $1::channel, $2, '\\x00' FROM c`,
      [i < 5 ? "whatsapp" : "telegram", `pace-${i}`],
    );
  }
});
afterAll(() => db?.drop());

describe("the pace of a broadcast's copies", () => {
  it("WhatsApp: one at a time, the next only after the gap; Telegram: all that fit in flight", async () => {
    const broker = new MemoryBroker();
    await declareQueues(broker, { shards: 2, channels: ["whatsapp", "telegram"] });
    const ctx = { sql: db.sql, languages: ["en"], flows: [], timeZone: "Europe/Rome" };
    const { broadcast } = await createBroadcast(ctx, { texts: { en: "Hello" }, createdBy: "cli:test" });
    await confirmBroadcast(ctx, broadcast.id, "cli:test");
    const gaps: number[] = [];
    const broadcaster = (gapMs: number) =>
      new Broadcaster({
        sql: db.sql,
        broker,
        channels: ["whatsapp", "telegram"],
        shards: 2,
        quiet: null,
        defaultZone: "Europe/Rome",
        queuesLostAtStart: false,
        log: silentLog,
        pace: { whatsapp: { inFlight: 1, gapMs }, telegram: { inFlight: 3 } },
        random: () => {
          gaps.push(gapMs);
          return 0.5;
        },
      });
    const waiting = async (queue: string) => (await broker.counts(queue)).waiting;
    const slow = broadcaster(3_600_000);
    await slow.round();
    expect(await waiting(QUEUES.outbound("whatsapp"))).toBe(1);
    expect(await waiting(QUEUES.outbound("telegram"))).toBe(3);
    // The copy ends; within the gap, nothing more goes on WhatsApp (Telegram: room for three again).
    await db.sql.query("UPDATE deliveries SET status = 'sent' WHERE status = 'queued'");
    await slow.round();
    expect(await waiting(QUEUES.outbound("whatsapp"))).toBe(1);
    expect(await waiting(QUEUES.outbound("telegram"))).toBe(5);
    // Without a gap left, the next one goes, still one at a time.
    const quick = broadcaster(0.001);
    await quick.round();
    await quick.round();
    expect(await waiting(QUEUES.outbound("whatsapp"))).toBe(2);
    expect(gaps.length).toBeGreaterThan(0);
    await broker.close();
  });
});

describe("a broadcast whose segment this version can't read", () => {
  it("is cancelled and said so, and the broadcasts behind it still go", async () => {
    const broker = new MemoryBroker();
    await declareQueues(broker, { shards: 2, channels: ["telegram"] });
    const ctx = { sql: db.sql, languages: ["en"], flows: [], timeZone: "Europe/Rome" };
    const bad = await createBroadcast(ctx, { texts: { en: "Unreadable" }, createdBy: "cli:test" });
    await confirmBroadcast(ctx, bad.broadcast.id, "cli:test");
    await db.sql.query(`UPDATE broadcasts SET segment = '{"territories": "all of them"}' WHERE id = $1`, [bad.broadcast.id]);
    const good = await createBroadcast(ctx, { texts: { en: "Readable" }, createdBy: "cli:test" });
    await confirmBroadcast(ctx, good.broadcast.id, "cli:test");
    const lines: string[] = [];
    const broadcaster = new Broadcaster({ sql: db.sql, broker, channels: ["telegram"], shards: 2, quiet: null, defaultZone: "Europe/Rome", queuesLostAtStart: false, log: logInto(lines) });
    await broadcaster.round();
    const status = async (id: string) => (await db.sql.query<{ status: string }>("SELECT status FROM broadcasts WHERE id = $1", [id])).rows[0]?.status;
    expect(await status(bad.broadcast.id)).toBe("cancelled");
    expect(await status(good.broadcast.id)).toBe("sending");
    expect(lines.some((l) => l.startsWith(`broadcast ${bad.broadcast.id}: cancelled, its segment can't be read`))).toBe(true);
    await broker.close();
  });
});
