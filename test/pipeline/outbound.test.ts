// Sending a turn's replies: in order, resumed after what already went out, each to its own person
// (addresses of jobs running at once are looked up together). On a real PostgreSQL.
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TelegramChannel } from "../../bots/telegram/index.ts";
import { generateKey, IdentityVault } from "../../src/db/index.ts";
import type { Sql } from "../../src/db/sql.ts";
import type { Message } from "../../src/engine/index.ts";
import type { OutboundJob } from "../../src/jobs/jobs.ts";
import { outboundProcessor } from "../../src/pipeline/outbound.ts";
import type { Job } from "../../src/queue/types.ts";
import { DatabaseConversationStore } from "../../src/repos/conversations.ts";
import { channelTexts } from "../bots/context.ts";
import { BOT_INFO, BOT_TOKEN, FakeBotApi } from "../bots/fake-bot-api.ts";
import { createTestDatabase, type TestDatabase } from "../support/db.ts";
import { RecordingChannel } from "./harness.ts";
import { silentLog } from "../../src/log/log.ts";
import { logInto } from "../support/log.ts";

let db: TestDatabase;
const vault = new IdentityVault({ hashKey: Buffer.from(generateKey(), "base64"), encryptionKey: Buffer.from(generateKey(), "base64") });
beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(async () => db?.drop());

const message = (key: string): Message => ({ key, params: {}, lang: "en", choices: [] });

/** A job as a worker hands it over, keeping what `updateData` stored, as the queue does between tries. */
function job(data: OutboundJob): Job<OutboundJob> & { tries: () => Job<OutboundJob> } {
  let stored = data;
  let attempt = 0;
  const next = (): Job<OutboundJob> => ({
    queue: "outbound.telegram",
    id: `job-${randomUUID()}`,
    name: "send",
    data: stored,
    attempt: ++attempt,
    maxAttempts: 8,
    updateData: async (d) => void (stored = d),
  });
  return Object.assign(next(), { tries: next });
}

async function contact(address: string): Promise<string> {
  return (await new DatabaseConversationStore(db.sql, vault).open({ channel: "telegram", id: address }, "en")).contactId;
}

function counting(sql: Sql): { sql: Sql; statements: () => number } {
  let n = 0;
  return { sql: { ...sql, query: (text, values) => (n++, sql.query(text, values)) }, statements: () => n };
}

describe("outbound", () => {
  it("a message of a turn Telegram refuses (400) is skipped with a log line naming the method and Telegram's words; the rest of the turn goes", async () => {
    const api = await FakeBotApi.start();
    try {
      const texts = channelTexts();
      const telegram = new TelegramChannel({ token: BOT_TOKEN, texts, apiRoot: api.url, botInfo: BOT_INFO });
      const keys = ["onboarding:consent", "main:menu.bye", "needs:intro"];
      const refused = texts.t("en", "main:menu.bye");
      api.fail("sendMessage", { error_code: 400, description: "Bad Request: can't parse entities" }, { text: refused });
      const logs: string[] = [];
      const send = outboundProcessor({ sql: db.sql, vault, sender: telegram, gapMs: 0, sleep: async () => undefined, log: logInto(logs) });
      const id = await contact("5553000");
      const j = job({ channel: "telegram", contactId: id, messages: keys.map(message), priority: "reply", sent: 0 });
      await send(j);
      expect(api.callsOf("sendMessage").map((p) => p.text)).toEqual(keys.map((k) => texts.t("en", k)));
      expect(api.messages("5553000").map((m) => m.text)).toEqual([texts.t("en", "onboarding:consent"), texts.t("en", "needs:intro")]);
      expect(logs).toEqual([`outbound ${j.id}: message 2 of 3 skipped, refused by telegram: sendMessage: Bad Request: can't parse entities`]);
      // Neither the person's address nor the text is in the line.
      expect(logs.join("\n")).not.toMatch(/5553000/);
      expect(logs.join("\n")).not.toContain(refused);
    } finally {
      await api.close();
    }
  });

  it("a refused message is not sent again when the turn is retried later", async () => {
    const channel = new RecordingChannel("telegram", (m) => m.key);
    const id = await contact("5553001");
    channel.failures.set("5553001", ["400"]);
    let calls = 0;
    const flaky = { channel: "telegram" as const, send: (address: string, m: Message) => (++calls === 2 ? Promise.reject(new Error("socket hang up")) : channel.send(address, m)) };
    const j = job({ channel: "telegram", contactId: id, messages: [message("one"), message("two"), message("three")], priority: "reply", sent: 0 });
    await expect(outboundProcessor({ sql: db.sql, vault, sender: flaky, gapMs: 0, sleep: async () => undefined, log: silentLog })(j)).rejects.toThrow("socket hang up");
    await outboundProcessor({ sql: db.sql, vault, sender: channel, gapMs: 0, sleep: async () => undefined, log: silentLog })(j.tries());
    // "one" was refused and skipped, "two" met the network failure and went on the retry.
    expect(channel.to("5553001")).toEqual(["two", "three"]);
  });

  it("a retry resumes after the messages already sent: none twice, none lost, in order", async () => {
    const channel = new RecordingChannel("telegram", (m) => m.key);
    const send = outboundProcessor({ sql: db.sql, vault, sender: channel, gapMs: 0, sleep: async () => undefined, log: silentLog });
    const id = await contact("5550001");
    const j = job({ channel: "telegram", contactId: id, messages: [message("one"), message("two"), message("three")], priority: "reply", sent: 0 });
    // The second message meets a network failure: the try fails after the first went out.
    let calls = 0;
    const flaky = { ...channel, send: (address: string, m: Message) => (++calls === 2 ? Promise.reject(new Error("socket hang up")) : channel.send(address, m)) };
    const sendFlaky = outboundProcessor({ sql: db.sql, vault, sender: flaky, gapMs: 0, sleep: async () => undefined, log: silentLog });
    await expect(sendFlaky(j)).rejects.toThrow("socket hang up");
    await send(j.tries());
    expect(channel.to("5550001")).toEqual(["one", "two", "three"]);
  });

  it("jobs running at once each reach their own person, their addresses found in fewer statements than jobs", async () => {
    const channel = new RecordingChannel("telegram", (m) => m.key);
    const { sql, statements } = counting(db.sql);
    const send = outboundProcessor({ sql, vault, sender: channel, gapMs: 0, sleep: async () => undefined, log: silentLog });
    const addresses = Array.from({ length: 12 }, (_, i) => `5551${String(i).padStart(3, "0")}`);
    const ids = await Promise.all(addresses.map(contact));
    await Promise.all(ids.map((id, i) => send(job({ channel: "telegram", contactId: id, messages: [message(`for ${addresses[i]}`)], priority: "reply", sent: 0 }))));
    for (const a of addresses) expect(channel.to(a)).toEqual([`for ${a}`]);
    expect(statements()).toBeLessThan(addresses.length);
  });

  it("sends nothing to a contact erased since the reply was queued", async () => {
    const channel = new RecordingChannel("telegram", (m) => m.key);
    const send = outboundProcessor({ sql: db.sql, vault, sender: channel, gapMs: 0, sleep: async () => undefined, log: silentLog });
    const id = await contact("5552000");
    await db.sql.query("DELETE FROM contacts WHERE id = $1", [id]);
    await send(job({ channel: "telegram", contactId: id, messages: [message("hello")], priority: "reply", sent: 0 }));
    expect(channel.sent).toEqual([]);
  });
});
